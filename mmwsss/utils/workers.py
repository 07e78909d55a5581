"""How many worker processes a step starts: what the machine offers.

Configs used to fix every dataloader and process pool at 2 workers: right
on the 2-core machine they were written on, a waste of 14 of a 16-core GPU
machine's cores (the CRF and selective search then kept the GPU idle).
``'auto'`` (or ``None`` where a function defaults to it) now means *the
cores this process may run on* (``os.sched_getaffinity``: a container's or
``taskset``'s limit, not the host's count) *divided among the ranks of
this node* (torchrun's ``LOCAL_WORLD_SIZE``), so 8 ranks on 64 cores take
8 each instead of 64 each.  A number in a config still means that number.

* process pools (CRF, pseudo masks, proposals): every core of the rank's
  share, :func:`pool_workers`;
* dataloader workers: the share less one core for the process that runs
  the model, :func:`loader_workers` (0, loading in the main process, on a
  single core).

Pool worker counts decide how fast, never what a step writes, so the
stage fingerprints leave them out (:mod:`mmwsss.stages.record`): a work
dir moved to a bigger machine keeps its finished stages.  A *training*
dataloader's count is different: MMEngine seeds each worker with
``seed + worker id`` and the workers draw the augmentations, so another
count trains on another random stream for the same seed (the HCP
classifier moved by 11 points of map mIoU, docs/benchmarks.md); set a
number in the config where runs on different machines must match.
"""
import os
from typing import Optional, Union

from mmengine.config import Config

AUTO = 'auto'
#: config keys that hold worker counts (dataloaders, stage options)
WORKER_KEYS = ('num_workers', 'workers', 'crf_workers')
#: dataloader keys that only make sense with worker processes
_WORKER_ONLY_KEYS = ('persistent_workers', 'prefetch_factor')

WorkerCount = Optional[Union[int, str]]


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def local_ranks() -> int:
    """Ranks sharing this machine: torchrun's ``LOCAL_WORLD_SIZE``
    (``SLURM_NTASKS_PER_NODE`` under Slurm), else 1."""
    for name in ('LOCAL_WORLD_SIZE', 'SLURM_NTASKS_PER_NODE'):
        value = os.environ.get(name, '').split('(')[0]
        if value.isdigit() and int(value) > 0:
            return int(value)
    return 1


def cores_per_rank() -> int:
    """This rank's share of the usable cores, at least 1."""
    return max(1, usable_cores() // local_ranks())


def _is_auto(value: WorkerCount) -> bool:
    return value is None or (isinstance(value, str)
                             and value.lower() == AUTO)


def _checked(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f'{what} must be a number >= 0 or {AUTO!r}, got '
                         f'{value!r}')
    return value


def pool_workers(value: WorkerCount = AUTO) -> int:
    """Processes of a per-image pool: ``value``, or for ``'auto'``/``None``
    this rank's cores (:func:`cores_per_rank`)."""
    if _is_auto(value):
        return cores_per_rank()
    return _checked(value, 'workers')


def loader_workers(value: WorkerCount = AUTO) -> int:
    """Dataloader worker processes: ``value``, or for ``'auto'``/``None``
    this rank's cores less the one running the model."""
    if _is_auto(value):
        return cores_per_rank() - 1
    return _checked(value, 'num_workers')


def resolve_loader_workers(cfg: Config) -> None:
    """Replace ``num_workers='auto'`` of every ``*_dataloader`` of ``cfg``
    by :func:`loader_workers`; where that leaves no worker, drop the
    options that need one (``persistent_workers``, ``prefetch_factor``),
    which PyTorch refuses without workers."""
    for key in list(cfg.keys()):
        loader = cfg.get(key)
        if not key.endswith('_dataloader') or not isinstance(loader, dict):
            continue
        if not _is_auto(loader.get('num_workers', 0)):
            continue
        loader['num_workers'] = loader_workers(AUTO)
        if loader['num_workers'] == 0:
            for option in _WORKER_ONLY_KEYS:
                loader.pop(option, None)
