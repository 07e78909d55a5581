"""What a pipeline remembers of its stages: completion markers, the
fingerprint of what made each stage, and where its outputs are.

Each stage works in ``work_dir/<name>/`` and is complete when its marker
``work_dir/<name>/stage_done.json`` exists; the marker is written last
(atomically), after every output.  The fingerprint hashes, per part, the
stage's resolved config, its own settings, its inputs (each producer's
run, or a user path's stat) and what its datasets hold
(:mod:`mmwsss.stages.dataset_record`), so a change can be named.  A
marker's output paths must stay inside its stage folder.

A stage writes ``stage_started.json`` (with its fingerprint) when it
starts.  On the next run a finished stage whose fingerprint changed stops
the run, naming what changed, or with ``--redo-changed`` its folder is
moved aside (``<name>.stale-<time>``) and the stage redone; a stage that
only started with other settings made nothing complete and is moved aside
and redone without asking (:func:`keep_finished`).

Worker counts (dataloader ``num_workers``, a stage's ``workers`` and
``crf_workers``) are left out of the fingerprint: ``'auto'`` resolves to
the machine's cores (:mod:`mmwsss.utils.workers`), and a work dir moved to
a bigger machine, or run with more workers, must keep its finished
stages.  They decide how fast a step runs; per-image outputs do not depend
on them (``tests/test_ranks.py``), while a training loader's count does
decide which worker draws each augmentation, i.e. a run of the same
recipe with other random draws, not another recipe.  Markers written
before this rule hashed the counts; they are compared with a digest that
keeps them (``'auto'`` read as this machine's count), so an existing work
dir is not invalidated by the change.

Top-level config keys that start with ``_`` are composition helpers (a
fragment's ``_cls_optim_wrapper`` that configs take as their
``optim_wrapper``): what they set is hashed where it is used, so they are
left out, and moving a shared block into a fragment keeps the stages.
"""
import hashlib
import json
import os
import os.path as osp
import time
import uuid
from typing import Dict, List, Optional, Tuple

from mmengine.config import Config
from mmengine.dist import barrier, get_rank
from mmengine.logging import print_log

from mmwsss.utils.io import atomic_write
from mmwsss.utils.paths import is_inside
from mmwsss.utils.workers import WORKER_KEYS, pool_workers
from .base import BaseStage
from .dataset_record import DatasetRecords
from .graph import StageError, producer_of

MARKER = 'stage_done.json'
STARTED = 'stage_started.json'
# keys of a resolved stage config that say where, not what
_LOCATION_KEYS = ('work_dir', 'launcher', 'experiment_name', 'resume',
                  'load_from')
#: keys that say how many processes, not what they make (module docstring)
_SPEED_KEYS = WORKER_KEYS + ('persistent_workers', 'prefetch_factor')
#: the fingerprint part that says worker counts were left out
SCHEME = 'scheme'
SCHEME_VERSION = 'no-workers'


def read_marker(stage_dir: str, name: str = MARKER) -> Optional[dict]:
    """A stage's marker (``name``: the finished one, or :data:`STARTED`),
    ``None`` when the stage has not written it."""
    path = osp.join(stage_dir, name)
    if not osp.isfile(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def _file_count(path: str) -> Optional[int]:
    if not osp.isdir(path):
        return None
    return sum(1 for entry in os.scandir(path) if entry.is_file())


def marker_output(stage_dir: str, marker: dict, output: str) -> str:
    """The path of a stage's ``output`` as its marker records it, which
    must lie inside the stage's folder: a marker is a file in the work
    dir, and one edited to name a file elsewhere (a checkpoint that would
    be unpickled) is refused, naming both."""
    path = osp.join(stage_dir, str(marker['outputs'][output]))
    if not is_inside(path, stage_dir):
        raise StageError(
            f'{osp.join(stage_dir, MARKER)}: output {output!r} points at '
            f'{osp.realpath(path)}, outside the stage folder {stage_dir}; '
            'markers name only files their stage wrote (was the marker '
            'edited?); delete the stage folder and run it again')
    return path


def resolve_inputs(name: str, inputs: Dict[str, str], work_dir: str,
                   stage_names) -> Tuple[Dict[str, str], Dict[str, str]]:
    """Absolute paths of a stage's inputs, and what identifies each (the
    producer's run id, or the path); a :class:`StageError` names the
    stage, the input and the path."""
    resolved, identity = {}, {}
    for key, source in inputs.items():
        source = str(source)
        producer = producer_of(source, stage_names)
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
            path = marker_output(producer_dir, marker, output)
            expected = marker.get('files', {}).get(output)
            identity[key] = f'{producer}:{marker.get("run_id")}'
        else:
            path, expected = source, None
            identity[key] = path_identity(source)
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


def path_identity(path: str) -> str:
    """A user-given input path and what it holds, by stat (size and time
    of a file; count and newest time of a folder's files): replacing the
    file or adding to the folder changes it without reading any of it."""
    path = osp.abspath(path)
    if osp.isfile(path):
        stat = os.stat(path)
        return f'{path} ({stat.st_size} bytes, {stat.st_mtime_ns})'
    if osp.isdir(path):
        times = [entry.stat().st_mtime_ns for entry in os.scandir(path)
                 if entry.is_file()]
        return f'{path} ({len(times)} files, {max(times, default=0)})'
    return path


class Fingerprint(dict):
    """A stage's fingerprint parts; ``legacy`` holds the parts as markers
    written before worker counts were left out hash them (never stored)."""
    legacy: Dict[str, str] = {}


def _without_speed(value):
    """``value`` with every worker-count key removed, at any depth."""
    if isinstance(value, dict):
        return {k: _without_speed(v) for k, v in value.items()
                if k not in _SPEED_KEYS}
    if isinstance(value, (list, tuple)):
        return [_without_speed(v) for v in value]
    return value


def _auto_resolved(settings: dict) -> dict:
    """A stage's settings with ``'auto'`` worker counts as this machine
    resolves them (what an older marker would have hashed for them)."""
    return {k: (pool_workers(v) if k in WORKER_KEYS and isinstance(v, str)
                else v) for k, v in settings.items()}


def fingerprint(stage: BaseStage, cfg: Config, identity: Dict[str, str],
                work_dir: str) -> Dict[str, str]:
    """What makes a stage's outputs what they are, hashed per part so a
    change can be named.  Paths inside the work dir count relative to it,
    so a moved work dir is still the same pipeline; worker counts do not
    count (module docstring)."""
    resolved = {k: v for k, v in cfg.to_dict().items()
                if k not in _LOCATION_KEYS and not k.startswith('_')}
    settings = stage.settings()

    def digest(value) -> str:
        text = json.dumps(value, sort_keys=True, default=str)
        text = text.replace(work_dir, '{work_dir}')
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    prints = Fingerprint(config=digest(_without_speed(resolved)),
                         settings=digest(_without_speed(settings)),
                         **{f'input {k}': v for k, v in identity.items()})
    prints[SCHEME] = SCHEME_VERSION
    prints.legacy = dict(config=digest(resolved),
                         settings=digest(_auto_resolved(settings)))
    return prints


def changed_parts(old: dict, new: dict) -> List[str]:
    """Parts of a fingerprint that differ; a part the old record lacks was
    not recorded then (an older mmwsss), which is no evidence of change.
    An old record without the worker rule is compared with the new one's
    legacy digests (module docstring)."""
    if SCHEME not in old and isinstance(new, Fingerprint):
        new = dict(new, **new.legacy)
    return sorted(k for k in set(old) | set(new)
                  if k in old and old.get(k) != new.get(k))


def stage_dataset_keys(stage: BaseStage) -> Tuple[str, ...]:
    """The dataloaders whose images a stage reads."""
    keys = getattr(stage, 'dataset_keys', None)
    if keys:
        return tuple(keys)
    key = getattr(stage, 'dataset_key', None)
    return (key, ) if key else ()


def data_prints(records: DatasetRecords, stage: BaseStage,
                cfg: Config) -> Dict[str, str]:
    """The fingerprint parts of what the stage's datasets hold (one
    manifest hash per dataloader it reads), so an edited photo or tag
    invalidates it although its config did not change."""
    prints = {}
    for key in stage_dataset_keys(stage):
        dataset = (cfg.get(key) or {}).get('dataset')
        if isinstance(dataset, dict):
            prints[f'data {key}'] = records.fingerprint(
                dataset, cfg.get('default_scope', 'mmseg'))
    return prints


def _explain(changed: List[str], old: dict, new: dict,
             records: DatasetRecords) -> str:
    """The changed parts in words; a dataset part says what changed in
    the data (which images, tags, files), not only that it did."""
    words = []
    for part in changed:
        if part.startswith('data ') and part in new:
            why = records.explain(old[part], new[part])
            words.append(f'{part} ({why})')
        else:
            words.append(part)
    return ', '.join(words)


def _set_aside(stage_dir: str) -> str:
    """Move a stale stage folder beside itself (kept, never deleted: it
    may be the only copy of an hour's work)."""
    aside = f'{stage_dir}.stale-{time.strftime("%Y%m%d-%H%M%S")}'
    if get_rank() == 0:
        os.replace(stage_dir, aside)
    barrier()
    return aside


def keep_finished(name: str, header: str, stage_dir: str,
                  prints: Dict[str, str], records: DatasetRecords,
                  redo_changed: bool) -> bool:
    """Whether a finished stage stands as it is; stops (or moves the
    stale folder aside) when what made it changed.  A stage that only
    started (no marker) with other settings made nothing complete: its
    partial folder is moved aside and the stage redone."""
    finished = read_marker(stage_dir)
    record = finished or read_marker(stage_dir, STARTED)
    if record is None:
        return False
    old = record.get('fingerprint', {})
    changed = changed_parts(old, prints)
    if changed:
        what = _explain(changed, old, prints, records)
        if finished is not None and not redo_changed:
            raise StageError(
                f'stage {name!r} in {stage_dir} was made with another '
                f'{what} than the config gives now; delete the folder, '
                'or run again with --redo-changed (the stale folder is '
                'kept beside it)')
        aside = _set_aside(stage_dir)
        print_log(f'{header}: {what} changed, redoing it (the '
                  f'{"stale" if finished else "unfinished"} folder is '
                  f'kept as {aside})', logger='current')
        return False
    if finished is None:
        return False  # started with the same settings: resume it
    print_log(f'{header}: complete, skipped', logger='current')
    return True


def write_started(stage_dir: str, name: str,
                  prints: Dict[str, str]) -> None:
    """The stage's folder and its started marker (rank 0), which keeps
    the fingerprint: a later run resumes a partial folder made with the
    same settings and moves one made with others aside
    (:func:`keep_finished`)."""
    os.makedirs(stage_dir, exist_ok=True)
    if get_rank() == 0:
        with atomic_write(osp.join(stage_dir, STARTED), 'w') as handle:
            json.dump(dict(stage=name, fingerprint=prints), handle)


def write_marker(stage_dir: str, name: str, kind: str,
                 outputs: Dict[str, str], seconds: float,
                 prints: Dict[str, str], extra: dict) -> None:
    """The finished stage's marker, written last and atomically: its
    outputs (each must exist) and their file counts, what made it (the
    fingerprint), a run id for the stages that read it, and ``extra``
    (the stage's report)."""
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
