"""Running a pipeline config's ``stages``, resumably and honestly.

Each stage works in ``work_dir/<name>/`` and is complete when its marker
``work_dir/<name>/stage_done.json`` exists; the marker is written last
(atomically), after every output, so a crash at any point leaves the stage
incomplete and the next run redoes only what is missing: complete stages
are skipped, an interrupted training resumes from its last intact
checkpoint, per-image stages skip the files they already wrote.

A finished stage is kept only while it is still the same stage: its
*resolved* config (after ``_base_`` files, placeholders and overrides), its
own settings and its inputs (each producer's run) are fingerprinted when it
starts.  If any of them changed since, the run stops with a message naming
the stage and what changed; ``redo_changed=True`` (``--redo-changed``)
moves the stale folder aside and runs the stage again, and every stage
that used its outputs follows.

Stages run in the order the config lists them, moved after the stages
whose outputs they read.  Inputs are checked before a stage starts: a
``'STAGE.OUTPUT'`` input needs STAGE's marker, the output path, and (for
folders) at least as many files as STAGE recorded when it finished.

Every stage that reads training images must read the pipeline's: the first
such stage fixes the dataset (type, root, split, image folder) and a later
stage whose dataset differs stops the run with a message naming both,
unless its spec says ``other_dataset=True``.

Under a distributed launch every rank runs every stage (training is data
parallel, per-image stages shard the images); rank 0 writes the markers.
"""
import hashlib
import json
import os
import os.path as osp
import re
import time
import uuid
from typing import Any, Dict, List, Optional, Tuple

from mmengine.config import Config
from mmengine.dist import barrier, get_rank
from mmengine.logging import print_log

from mmwsss.registry import STAGES
from mmwsss.utils.io import atomic_write
from .base import BaseStage, StageContext

MARKER = 'stage_done.json'
STARTED = 'stage_started.json'
NAME_PATTERN = re.compile(r'^[A-Za-z0-9_-]+$')
# dataloaders of the training images, which every stage must agree on
TRAINING_SPLITS = ('train_dataloader', 'cam_dataloader')
# keys of a resolved stage config that say where, not what
_LOCATION_KEYS = ('work_dir', 'launcher', 'experiment_name', 'resume',
                  'load_from')


class StageError(RuntimeError):
    """A stage cannot run (bad spec, missing or changed input)."""


def _producer(source: str, names) -> Optional[str]:
    stage, dot, output = str(source).partition('.')
    return stage if dot and output and stage in names else None


def ordered_specs(stages: Any) -> List[Tuple[str, dict]]:
    """``(name, spec)`` in run order: the config's order, each stage moved
    after the stages it reads from.  ``None`` entries (a child config
    dropping a stage of its base) are left out."""
    if not isinstance(stages, dict):
        raise StageError('stages must be a dict keyed by stage name '
                         '(stages=dict(classifier=dict(type=...), ...)), got '
                         f'{type(stages).__name__}')
    specs = {name: dict(spec) for name, spec in stages.items()
             if spec is not None}
    for name, spec in specs.items():
        if not NAME_PATTERN.match(str(name)):
            raise StageError(f'stage name {name!r} must be a folder-safe '
                             'word ([A-Za-z0-9_-])')
        if STAGES.get(spec.get('type')) is None:
            raise StageError(
                f'stage {name!r} names unknown stage type '
                f'{spec.get("type")!r}; known stage types: '
                f'{sorted(STAGES.module_dict)}')
    order: List[str] = []
    pending = list(specs)
    while pending:
        for name in pending:
            needs = {_producer(s, specs)
                     for s in (specs[name].get('inputs') or {}).values()}
            needs.discard(None)
            if name in needs:
                raise StageError(f'stage {name!r} reads its own output')
            if needs <= set(order):
                order.append(name)
                pending.remove(name)
                break
        else:
            raise StageError(f'stages {pending} read each other\'s outputs '
                             '(a cycle)')
    return [(name, specs[name]) for name in order]


def build_stage(name: str, spec: dict) -> BaseStage:
    spec = {k: v for k, v in spec.items() if k != 'other_dataset'}
    try:
        return STAGES.build(spec)
    except (TypeError, ValueError) as exc:
        raise StageError(f'stage {name!r} ({spec.get("type")}): {exc}') \
            from exc


def read_marker(stage_dir: str, name: str = MARKER) -> Optional[dict]:
    path = osp.join(stage_dir, name)
    if not osp.isfile(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def _file_count(path: str) -> Optional[int]:
    if not osp.isdir(path):
        return None
    return sum(1 for entry in os.scandir(path) if entry.is_file())


def resolve_inputs(name: str, inputs: Dict[str, str], work_dir: str,
                   stage_names) -> Tuple[Dict[str, str], Dict[str, str]]:
    """Absolute paths of a stage's inputs, and what identifies each (the
    producer's run id, or the path); a :class:`StageError` names the
    stage, the input and the path."""
    resolved, identity = {}, {}
    for key, source in inputs.items():
        source = str(source)
        producer = _producer(source, stage_names)
        if producer:
            producer_dir = osp.join(work_dir, producer)
            marker = read_marker(producer_dir)
            if marker is None:
                raise StageError(
                    f'stage {name!r}: input {key!r} comes from stage '
                    f'{producer!r}, which is not complete (no '
                    f'{osp.join(producer_dir, MARKER)}); run it first')
            output = source.split('.', 1)[1]
            if output not in marker['outputs']:
                raise StageError(
                    f'stage {name!r}: stage {producer!r} has no output '
                    f'{output!r} (it has {sorted(marker["outputs"])})')
            path = osp.join(producer_dir, marker['outputs'][output])
            expected = marker.get('files', {}).get(output)
            identity[key] = f'{producer}:{marker.get("run_id")}'
        else:
            path, expected = source, None
            identity[key] = osp.abspath(source)
        if not osp.exists(path):
            raise StageError(f'stage {name!r}: input {key!r} is missing: '
                             f'{path} does not exist')
        found = _file_count(path)
        if expected is not None and found is not None and found < expected:
            raise StageError(
                f'stage {name!r}: input {key!r} is incomplete: {path} holds '
                f'{found} files, {expected} when it was made')
        resolved[key] = osp.abspath(path)
    return resolved, identity


def fingerprint(stage: BaseStage, cfg: Config, identity: Dict[str, str],
                work_dir: str) -> Dict[str, str]:
    """What makes a stage's outputs what they are, hashed per part so a
    change can be named.  Paths inside the work dir count relative to it,
    so a moved work dir is still the same pipeline."""
    resolved = {k: v for k, v in cfg.to_dict().items()
                if k not in _LOCATION_KEYS}

    def digest(value) -> str:
        text = json.dumps(value, sort_keys=True, default=str)
        text = text.replace(work_dir, '{work_dir}')
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    return dict(config=digest(resolved), settings=digest(stage.settings()),
                **{f'input {k}': v for k, v in identity.items()})


def _changes(old: dict, new: dict) -> List[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def dataset_identity(cfg: Config, key: str) -> Optional[dict]:
    """Which images a dataset config lists: type, root, split, folder."""
    dataset = (cfg.get(key) or {}).get('dataset')
    if not isinstance(dataset, dict):
        return None
    root = dataset.get('data_root') or ''
    prefix = dataset.get('data_prefix') or {}
    return dict(type=str(dataset.get('type')),
                data_root=osp.normpath(root) if root else '',
                split=dataset.get('ann_file') or dataset.get('labels_file'),
                images=prefix.get('img_path'))


def _write_marker(stage_dir: str, name: str, kind: str,
                  outputs: Dict[str, str], seconds: float,
                  prints: Dict[str, str], extra: dict) -> None:
    files = {}
    for key, rel in outputs.items():
        path = osp.join(stage_dir, rel)
        if not osp.exists(path):
            raise StageError(f'stage {name!r}: output {key!r} ({path}) was '
                             'not written')
        count = _file_count(path)
        if count is not None:
            files[key] = count
    marker = dict(stage=name, type=kind, outputs=outputs, files=files,
                  seconds=round(seconds, 1), fingerprint=prints,
                  run_id=uuid.uuid4().hex[:12],
                  finished=time.strftime('%Y-%m-%d %H:%M:%S'), **extra)
    with atomic_write(osp.join(stage_dir, MARKER), 'w') as handle:
        json.dump(marker, handle, indent=2)


def pipeline_variables(cfg: Config) -> Dict[str, str]:
    """Top-level strings of a pipeline config: the placeholders every stage
    may name (``{classifier}``, ``{segmentor}``, ``{data_root}``...)."""
    return {k: v for k, v in cfg.items()
            if isinstance(v, str) and NAME_PATTERN.match(k)}


class _Run:
    """One pass over a pipeline's stages."""

    def __init__(self, cfg: Config, launcher: str, only: Optional[str],
                 redo_changed: bool) -> None:
        self.specs = ordered_specs(cfg.stages)
        self.names = [name for name, _ in self.specs]
        if only is not None and only not in self.names:
            raise StageError(f'no stage {only!r} in this config; stages: '
                             f'{self.names}')
        self.only, self.launcher = only, launcher
        self.redo_changed = redo_changed
        self.work_dir = osp.abspath(cfg.work_dir)
        self.config_path = cfg.filename
        self.config_dir = osp.dirname(osp.abspath(cfg.filename)) \
            if cfg.filename else os.getcwd()
        self.common = dict(cfg.get('common_cfg_options') or {})
        self.variables = pipeline_variables(cfg)
        self.dataset: Optional[Tuple[str, dict]] = None

    def context(self, name: str,
                stage: BaseStage) -> Tuple[StageContext, Dict[str, str]]:
        inputs, identity = resolve_inputs(name, stage.inputs, self.work_dir,
                                          self.names)
        return StageContext(
            name=name, work_dir=self.work_dir,
            stage_dir=osp.join(self.work_dir, name),
            config_dir=self.config_dir, launcher=self.launcher,
            pipeline_config=self.config_path, inputs=inputs,
            common_cfg_options=self.common,
            variables=self.variables), identity

    def check_dataset(self, name: str, spec: dict, stage: BaseStage,
                      cfg: Config) -> None:
        key = getattr(stage, 'dataset_key', None)
        if key not in TRAINING_SPLITS:
            return  # evaluation on another split is the point of it
        identity = dataset_identity(cfg, key)
        if identity is None or spec.get('other_dataset'):
            return
        if self.dataset is None:
            self.dataset = (name, identity)
        elif identity != self.dataset[1]:
            first, expected = self.dataset
            raise StageError(
                f'stage {name!r} reads another dataset than the pipeline: '
                f'{key}.dataset is {identity}, but stage {first!r} read '
                f'{expected}; point both at the same data (e.g. one '
                'common_cfg_options entry), or set other_dataset=True in '
                f'stage {name!r} if that is on purpose')

    def run(self) -> Dict[str, dict]:
        markers = {}
        for number, (name, spec) in enumerate(self.specs, 1):
            header = f'[stage {number}/{len(self.specs)}] {name} ' \
                f'({spec["type"]})'
            stage_dir = osp.join(self.work_dir, name)
            if self.only is not None and name != self.only:
                markers[name] = read_marker(stage_dir)
                continue
            stage = build_stage(name, spec)
            ctx, identity = self.context(name, stage)
            cfg = stage.load_config(ctx)
            self.check_dataset(name, spec, stage, cfg)
            prints = fingerprint(stage, cfg, identity, self.work_dir)
            if self._keep(name, header, stage_dir, prints):
                markers[name] = read_marker(stage_dir)
                continue
            markers[name] = self._execute(name, spec, header, stage, ctx,
                                          cfg, prints)
        return markers

    def _keep(self, name: str, header: str, stage_dir: str,
              prints: Dict[str, str]) -> bool:
        """Whether a finished stage stands as it is; stops (or moves the
        stale folder aside) when what made it changed."""
        record = read_marker(stage_dir) or read_marker(stage_dir, STARTED)
        if record is None:
            return False
        changed = _changes(record.get('fingerprint', {}), prints)
        if changed:
            if not self.redo_changed:
                raise StageError(
                    f'stage {name!r} in {stage_dir} was made with another '
                    f'{", ".join(changed)} than the config gives now; '
                    'delete the folder, or run again with --redo-changed '
                    '(the stale folder is kept beside it)')
            if get_rank() == 0:
                os.replace(stage_dir, f'{stage_dir}.stale-'
                           f'{time.strftime("%Y%m%d-%H%M%S")}')
            barrier()
            print_log(f'{header}: {", ".join(changed)} changed, redoing it',
                      logger='current')
            return False
        if read_marker(stage_dir) is None:
            return False  # started with the same settings: resume it
        print_log(f'{header}: complete, skipped', logger='current')
        return True

    def _execute(self, name, spec, header, stage, ctx, cfg, prints) -> dict:
        os.makedirs(ctx.stage_dir, exist_ok=True)
        if get_rank() == 0:
            with atomic_write(osp.join(ctx.stage_dir, STARTED),
                              'w') as handle:
                json.dump(dict(stage=name, fingerprint=prints), handle)
        print_log(f'{header}: running in {ctx.stage_dir}', logger='current')
        start = time.time()
        outputs = stage.run(ctx, cfg)
        barrier()
        if get_rank() == 0:
            _write_marker(ctx.stage_dir, name, spec['type'], outputs,
                          time.time() - start, prints,
                          getattr(stage, 'report', {}))
        barrier()
        marker = read_marker(ctx.stage_dir)
        print_log(f'{header}: done in {marker["seconds"]} s',
                  logger='current')
        return marker


def run_stages(cfg: Config, launcher: str = 'none',
               only: Optional[str] = None,
               redo_changed: bool = False) -> Dict[str, dict]:
    """Run ``cfg.stages`` in ``cfg.work_dir`` (all, or just ``only``);
    returns every stage's marker.  Complete, unchanged stages are
    skipped."""
    return _Run(cfg, launcher, only, redo_changed).run()


def trained_model(cfg: Config, stage: Optional[str] = None
                  ) -> Tuple[Config, str]:
    """The model a finished pipeline trained: the resolved config (with the
    pipeline's and the stage's options, as it trained) and the final
    checkpoint of ``stage`` (default: the config's ``final_model``, else
    its last training stage) in ``cfg.work_dir``."""
    run = _Run(cfg, 'none', None, False)
    trains = [name for name, spec in run.specs if spec['type'] == 'TrainStage']
    stage = stage or cfg.get('final_model') or (trains[-1] if trains else None)
    if stage not in run.names:
        raise StageError(f'no training stage {stage!r} in {cfg.filename}; '
                         f'stages: {run.names}')
    marker = read_marker(osp.join(run.work_dir, stage))
    if marker is None or 'checkpoint' not in marker.get('outputs', {}):
        raise StageError(
            f'stage {stage!r} has not finished in {run.work_dir} (no '
            f'{osp.join(run.work_dir, stage, MARKER)} with a checkpoint); '
            'train the pipeline first')
    spec = dict(run.specs)[stage]
    built = build_stage(stage, spec)
    ctx, _ = run.context(stage, built)
    model_cfg = built.load_config(ctx)
    return model_cfg, osp.join(ctx.stage_dir, marker['outputs']['checkpoint'])
