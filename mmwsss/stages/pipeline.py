"""Running a pipeline config's ``stages``, resumably and honestly.

A run first takes the work dir's lock (one run per work dir,
:mod:`mmwsss.utils.work_dir_lock`), checks every stage spec
(:mod:`mmwsss.stages.graph`) and the training data
(:mod:`mmwsss.stages.data_checks`), so mistakes stop it before anything is
made.  Then each stage works in ``work_dir/<name>/`` and is complete when
its marker exists (:mod:`mmwsss.stages.record`); a crash at any point
leaves the stage incomplete and the next run redoes only what is missing:
complete stages are skipped, an interrupted training resumes from its last
intact checkpoint, per-image stages skip the files they already wrote.

A finished stage is kept only while it is still the same stage: its
*resolved* config, its own settings, its inputs and what its datasets hold
(:mod:`mmwsss.stages.dataset_record`) are fingerprinted when it starts.
If any of them changed since, the run stops with a message naming the
stage and what changed; ``redo_changed=True`` (``--redo-changed``) moves
the stale folder aside and runs the stage again, and every stage that used
its outputs follows.  A stage that only started with other settings made
nothing complete and is redone without asking.

Inputs are checked before a stage starts: a ``'STAGE.OUTPUT'`` input needs
STAGE's marker, the output path inside STAGE's folder, and (for folders)
at least as many files as STAGE recorded when it finished.

Every stage that reads training images must read the pipeline's: the first
such stage fixes the dataset (type, root, split, image folder) and a later
stage whose dataset differs stops the run with a message naming both,
unless its spec says ``other_dataset=True``.

Under a distributed launch every rank runs every stage (training is data
parallel, per-image stages shard the images); rank 0 holds the lock and
writes the markers.
"""
import json
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Optional, Tuple

from mmengine.config import Config
from mmengine.dist import barrier, get_rank
from mmengine.logging import print_log

from mmwsss.utils.checkpoints import protect_work_dir
from mmwsss.utils.io import atomic_write
from mmwsss.utils.work_dir_lock import work_dir_lock
from .base import BaseStage, StageContext
from .data_checks import check_pipeline_data
from .dataset_record import DatasetRecords
from .graph import (StageError, build_stage, check_specs, ordered_specs,
                    pipeline_variables)
from .record import (DATASET_CHECK, MARKER, STARTED, TRAINING_SPLITS, _changes,
                     _write_marker, dataset_identity, fingerprint,
                     marker_output, read_marker, resolve_inputs,
                     stage_dataset_keys)
from .spec_checks import closest

__all__ = ['MARKER', 'StageError', 'build_stage', 'ordered_specs',
           'pipeline_variables', 'read_marker', 'resolve_inputs',
           'run_stages', 'trained_model']


class _Run:
    """One pass over a pipeline's stages."""

    def __init__(self, cfg: Config, launcher: str, only: Optional[str],
                 redo_changed: bool) -> None:
        self.specs = ordered_specs(cfg.stages)
        self.names = [name for name, _ in self.specs]
        if only is not None and only not in self.names:
            raise StageError(f'no stage {only!r} in this config'
                             f'{closest(only, self.names)}; stages: '
                             f'{self.names}')
        self.only, self.launcher = only, launcher
        self.redo_changed = redo_changed
        # files in the work dir are ours: never unpickled beyond the
        # allowlist of checkpoint types, whatever a tampered file holds
        self.work_dir = protect_work_dir(cfg.work_dir)
        self.config_path = cfg.filename
        self.config_dir = osp.dirname(osp.abspath(cfg.filename)) \
            if cfg.filename else os.getcwd()
        self.common = dict(cfg.get('common_cfg_options') or {})
        self.variables = pipeline_variables(cfg)
        self.stages = check_specs(self.specs, self.variables, only)
        self.dataset_check = dict(cfg.get('dataset_check') or {})
        self.dataset: Optional[Tuple[str, dict]] = None
        self.records = DatasetRecords(self.work_dir)

    def context(self, name: str, stage: BaseStage,
                resolve: bool = True) -> Tuple[StageContext, Dict[str, str]]:
        """The stage's context; ``resolve=False`` stands in names for
        inputs not made yet (to read a config before anything ran)."""
        if resolve:
            inputs, identity = resolve_inputs(name, stage.inputs,
                                              self.work_dir, self.names)
        else:
            inputs = {k: f'<{k}: {v}>' for k, v in stage.inputs.items()}
            identity = {}
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

    def training_config(self) -> Optional[Tuple[str, Config]]:
        """``(dataloader key, config)`` of the first stage that reads the
        training images, loaded before any stage ran."""
        for name, spec in self.specs:
            stage = self.stages.get(name) or build_stage(name, spec)
            key = getattr(stage, 'dataset_key', None)
            if key in TRAINING_SPLITS:
                ctx, _ = self.context(name, stage, resolve=False)
                return key, stage.load_config(ctx)
        return None

    def check_data(self) -> None:
        """The training data checked once, before the first stage: class
        counts, rare classes and typos, untagged images, classes never
        alone (:mod:`mmwsss.datasets.dataset_check`), photos whose decoded
        size disagrees with their EXIF orientation.  The report goes to
        ``WORK_DIR/dataset_check.json`` for ``tools/stage_report.py``."""
        found = self.training_config()
        if found is None:
            return
        key, cfg = found
        report = check_pipeline_data(cfg, key, **self.dataset_check)
        if get_rank() == 0:
            with atomic_write(osp.join(self.work_dir, DATASET_CHECK),
                              'w') as handle:
                json.dump(report, handle, indent=2)

    def data_prints(self, stage: BaseStage, cfg: Config) -> Dict[str, str]:
        """The fingerprint parts of what the stage's datasets hold."""
        prints = {}
        for key in stage_dataset_keys(stage):
            dataset = (cfg.get(key) or {}).get('dataset')
            if isinstance(dataset, dict):
                prints[f'data {key}'] = self.records.fingerprint(
                    dataset, cfg.get('default_scope', 'mmseg'))
        return prints

    def run(self) -> Dict[str, dict]:
        self.check_data()
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
            prints.update(self.data_prints(stage, cfg))
            if self._keep(name, header, stage_dir, prints):
                markers[name] = read_marker(stage_dir)
                continue
            markers[name] = self._execute(name, spec, header, stage, ctx,
                                          cfg, prints)
        return markers

    def _explain(self, changed: List[str], old: dict, new: dict) -> str:
        words = []
        for part in changed:
            if part.startswith('data ') and part in new:
                why = self.records.explain(old[part], new[part])
                words.append(f'{part} ({why})')
            else:
                words.append(part)
        return ', '.join(words)

    def _set_aside(self, stage_dir: str) -> str:
        aside = f'{stage_dir}.stale-{time.strftime("%Y%m%d-%H%M%S")}'
        if get_rank() == 0:
            os.replace(stage_dir, aside)
        barrier()
        return aside

    def _keep(self, name: str, header: str, stage_dir: str,
              prints: Dict[str, str]) -> bool:
        """Whether a finished stage stands as it is; stops (or moves the
        stale folder aside) when what made it changed.  A stage that only
        started (no marker) with other settings made nothing complete: its
        partial folder is moved aside and the stage redone."""
        finished = read_marker(stage_dir)
        record = finished or read_marker(stage_dir, STARTED)
        if record is None:
            return False
        old = record.get('fingerprint', {})
        changed = _changes(old, prints)
        if changed:
            what = self._explain(changed, old, prints)
            if finished is not None and not self.redo_changed:
                raise StageError(
                    f'stage {name!r} in {stage_dir} was made with another '
                    f'{what} than the config gives now; delete the folder, '
                    'or run again with --redo-changed (the stale folder is '
                    'kept beside it)')
            aside = self._set_aside(stage_dir)
            print_log(f'{header}: {what} changed, redoing it (the '
                      f'{"stale" if finished else "unfinished"} folder is '
                      f'kept as {aside})', logger='current')
            return False
        if finished is None:
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
    skipped.  The work dir is locked for the run (one run per work dir,
    :mod:`mmwsss.utils.work_dir_lock`); every spec is checked first."""
    run = _Run(cfg, launcher, only, redo_changed)
    with work_dir_lock(run.work_dir, command=' '.join(sys.argv)):
        return run.run()


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
    checkpoint = marker_output(osp.join(run.work_dir, stage), marker,
                               'checkpoint')
    built = run.stages[stage]
    try:
        ctx, _ = run.context(stage, built)
    except StageError:  # its training inputs are gone: not needed to test
        ctx, _ = run.context(stage, built, resolve=False)
    return built.load_config(ctx), checkpoint
