"""Running a config's ``stages`` in order, resumably.

Each stage works in ``work_dir/<name>/`` and is complete when its marker
``work_dir/<name>/stage_done.json`` exists; the marker is written last
(atomically), after every output, so a crash at any point leaves the stage
incomplete and the next run redoes only what is missing: complete stages
are skipped, an interrupted training resumes from its last intact
checkpoint, per-image stages skip the files they already wrote.

Inputs are checked before a stage starts: a ``'STAGE.OUTPUT'`` input needs
STAGE's marker, the output path, and (for folders) at least as many files
as STAGE recorded when it finished.

Under a distributed launch every rank runs every stage (training is data
parallel, per-image stages shard the images); rank 0 writes the markers.
"""
import hashlib
import json
import os
import os.path as osp
import re
import time
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config
from mmengine.dist import barrier, get_rank
from mmengine.logging import print_log

from mmwsss.registry import STAGES
from mmwsss.utils.io import atomic_write
from .base import BaseStage, StageContext

MARKER = 'stage_done.json'
NAME_PATTERN = re.compile(r'^[A-Za-z0-9_-]+$')


class StageError(RuntimeError):
    """A stage cannot run (bad spec, missing or incomplete input)."""


def _spec_digest(spec: dict) -> str:
    text = json.dumps(spec, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def build_stages(specs: Sequence[dict]) -> List[Tuple[dict, BaseStage]]:
    """Validate every stage spec before anything runs (names, kinds,
    inputs naming earlier stages) and build the stage objects."""
    seen: List[str] = []
    built = []
    for index, spec in enumerate(specs):
        spec = dict(spec)
        name = spec.pop('name', None)
        kind = spec.pop('type', None)
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise StageError(f'stage #{index}: name {name!r} must be a '
                             'folder-safe word ([A-Za-z0-9_-])')
        if name in seen:
            raise StageError(f'stage {name!r} is listed twice')
        if STAGES.get(kind) is None:
            raise StageError(
                f'stage {name!r} names unknown tool {kind!r}; known stage '
                f'types: {sorted(STAGES.module_dict)}')
        for key, source in (spec.get('inputs') or {}).items():
            stage_ref = str(source).split('.', 1)[0]
            later = [s.get('name') for s in specs[index:]]
            if '.' in str(source) and stage_ref in later:
                raise StageError(
                    f'stage {name!r}: input {key!r} comes from stage '
                    f'{stage_ref!r}, which runs later (or is this stage)')
        try:
            stage = STAGES.build(dict(type=kind, **spec))
        except (TypeError, ValueError) as exc:
            raise StageError(f'stage {name!r} ({kind}): {exc}') from exc
        built.append((dict(name=name, type=kind, digest=_spec_digest(
            dict(type=kind, **spec))), stage))
        seen.append(name)
    return built


def read_marker(stage_dir: str) -> Optional[dict]:
    path = osp.join(stage_dir, MARKER)
    if not osp.isfile(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def _file_count(path: str) -> Optional[int]:
    if not osp.isdir(path):
        return None
    return sum(1 for entry in os.scandir(path) if entry.is_file())


def resolve_inputs(name: str, inputs: Dict[str, str], work_dir: str,
                   stage_names: Sequence[str]) -> Dict[str, str]:
    """Absolute paths of a stage's inputs, or a :class:`StageError` naming
    the stage, the input and the path."""
    resolved = {}
    for key, source in inputs.items():
        source = str(source)
        producer, _, output = source.partition('.')
        if output and producer in stage_names:
            producer_dir = osp.join(work_dir, producer)
            marker = read_marker(producer_dir)
            if marker is None:
                raise StageError(
                    f'stage {name!r}: input {key!r} comes from stage '
                    f'{producer!r}, which is not complete (no '
                    f'{osp.join(producer_dir, MARKER)}); run it first')
            if output not in marker['outputs']:
                raise StageError(
                    f'stage {name!r}: stage {producer!r} has no output '
                    f'{output!r} (it has {sorted(marker["outputs"])})')
            path = osp.join(producer_dir, marker['outputs'][output])
            expected = marker.get('files', {}).get(output)
        else:
            path, expected = source, None
        if not osp.exists(path):
            raise StageError(f'stage {name!r}: input {key!r} is missing: '
                             f'{path} does not exist')
        found = _file_count(path)
        if expected is not None and found is not None and found < expected:
            raise StageError(
                f'stage {name!r}: input {key!r} is incomplete: {path} holds '
                f'{found} files, {expected} when it was made')
        resolved[key] = osp.abspath(path)
    return resolved


def _write_marker(stage_dir: str, info: dict, outputs: Dict[str, str],
                  seconds: float) -> None:
    files = {}
    for key, rel in outputs.items():
        path = osp.join(stage_dir, rel)
        if not osp.exists(path):
            raise StageError(f'stage {info["name"]!r}: output {key!r} '
                             f'({path}) was not written')
        count = _file_count(path)
        if count is not None:
            files[key] = count
    marker = dict(stage=info['name'], type=info['type'], outputs=outputs,
                  files=files, seconds=round(seconds, 1),
                  digest=info['digest'],
                  finished=time.strftime('%Y-%m-%d %H:%M:%S'))
    with atomic_write(osp.join(stage_dir, MARKER), 'w') as handle:
        json.dump(marker, handle, indent=2)


def run_stages(cfg: Config, launcher: str = 'none',
               only: Optional[str] = None) -> Dict[str, dict]:
    """Run ``cfg.stages`` in ``cfg.work_dir`` (all, or just ``only``);
    returns every stage's marker.  Complete stages are skipped."""
    built = build_stages(cfg.stages)
    common = dict(cfg.get('common_cfg_options') or {})
    common_digest = _spec_digest(common)
    names = [info['name'] for info, _ in built]
    if only is not None and only not in names:
        raise StageError(f'no stage {only!r} in this config; stages: {names}')
    work_dir = osp.abspath(cfg.work_dir)
    config_dir = osp.dirname(osp.abspath(cfg.filename)) \
        if cfg.filename else os.getcwd()
    markers = {}
    for number, (info, stage) in enumerate(built, 1):
        name = info['name']
        stage_dir = osp.join(work_dir, name)
        if only is not None and name != only:
            markers[name] = read_marker(stage_dir)
            continue
        info = dict(info, digest=info['digest'] + common_digest)
        done = read_marker(stage_dir)
        header = f'[stage {number}/{len(built)}] {name} ({info["type"]})'
        if done is not None:
            if done.get('digest') != info['digest']:
                print_log(f'{header}: complete, but its settings changed '
                          f'since; delete {stage_dir} to redo it',
                          logger='current')
            print_log(f'{header}: complete, skipped', logger='current')
            markers[name] = done
            continue
        inputs = resolve_inputs(name, stage.inputs, work_dir, names)
        os.makedirs(stage_dir, exist_ok=True)
        print_log(f'{header}: running in {stage_dir}', logger='current')
        start = time.time()
        ctx = StageContext(name=name, work_dir=work_dir, stage_dir=stage_dir,
                           config_dir=config_dir, launcher=launcher,
                           inputs=inputs, common_cfg_options=common)
        outputs = stage.run(ctx)
        barrier()
        if get_rank() == 0:
            _write_marker(stage_dir, info, outputs, time.time() - start)
        barrier()
        markers[name] = read_marker(stage_dir)
        print_log(f'{header}: done in {markers[name]["seconds"]} s',
                  logger='current')
    return markers
