"""Training from a config: what tools/train.py and the pipeline's train
stages share (CPU-capable distributed set-up, crash-safe resume)."""
import glob
import os.path as osp
import re
import zipfile
from typing import Optional

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmwsss.utils.checkpoints import protect_work_dir
from mmwsss.utils.dist import init_distributed
from mmwsss.utils.paths import is_inside


def prepare_launcher(cfg: Config, launcher: str) -> None:
    """Set ``cfg.launcher``; for distributed launches start the process
    group here (gloo on CPU ranks, which MMEngine's ``init_dist`` cannot)
    and wrap the model with :class:`DeviceAgnosticDDP`."""
    cfg.launcher = launcher
    if launcher == 'none':
        return
    if not (torch.distributed.is_available()
            and torch.distributed.is_initialized()):
        init_distributed(launcher)
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='DeviceAgnosticDDP',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))


def is_complete_checkpoint(path: str) -> bool:
    """A checkpoint torch can read back: a kill during ``torch.save``
    leaves a truncated zip whose central directory or CRCs are broken."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (OSError, zipfile.BadZipFile):
        return False


def _checkpoint_number(path: str) -> int:
    match = re.search(r'(\d+)\.pth$', path)
    return int(match.group(1)) if match else -1


def _inside_work_dir(path: str, work_dir: str) -> str:
    """``path`` if it lies in ``work_dir``: the checkpoint a run resumes
    from is one the run wrote, never a file ``last_checkpoint`` (or a
    symlink) points to elsewhere."""
    if not is_inside(path, work_dir):
        raise ValueError(
            f'{path}: refusing to resume from this checkpoint: it lies '
            f'outside the work dir {work_dir} (named by '
            f'{osp.join(work_dir, "last_checkpoint")} or a symlink).  '
            'Fix or delete that file, or pass the checkpoint as load_from '
            'if you mean to start from it.')
    return path


def latest_complete_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint to resume from: the one ``last_checkpoint`` names if
    it is intact, else the newest intact ``epoch_N``/``iter_N`` file.  It
    must lie inside ``work_dir`` (``ValueError`` naming both otherwise)."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as handle:
            named = handle.read().strip()
        if named and osp.isfile(named) and is_complete_checkpoint(named):
            return _inside_work_dir(named, work_dir)
    candidates = glob.glob(osp.join(work_dir, 'epoch_*.pth')) + glob.glob(
        osp.join(work_dir, 'iter_*.pth'))
    for path in sorted(candidates, key=_checkpoint_number, reverse=True):
        if is_complete_checkpoint(path):
            return _inside_work_dir(path, work_dir)
    return None


def keep_random_states(cfg: Config) -> None:
    """Add :class:`RandomStateHook` (once): every checkpoint then holds the
    random generators' states, so a run resumed from it repeats the
    uninterrupted one."""
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(h.get('type') == 'RandomStateHook' for h in hooks):
        hooks.append(dict(type='RandomStateHook'))
    cfg.custom_hooks = hooks


def train_resumable(cfg: Config) -> str:
    """Train ``cfg`` in ``cfg.work_dir``, resuming from its newest intact
    checkpoint, with random states saved in checkpoints (so a resumed run
    repeats an uninterrupted one); returns the final checkpoint's path.

    The work dir is protected (:func:`protect_work_dir`): the checkpoints
    resumed from are loaded with the safe loader only."""
    keep_random_states(cfg)
    protect_work_dir(cfg.work_dir)
    resume_from = latest_complete_checkpoint(cfg.work_dir)
    if resume_from:
        cfg.resume, cfg.load_from = True, resume_from
    runner = Runner.from_cfg(cfg)
    runner.train()
    final = latest_complete_checkpoint(cfg.work_dir)
    del runner
    if final is None:
        raise RuntimeError(f'training in {cfg.work_dir} saved no checkpoint '
                           '(set default_hooks.checkpoint)')
    return final
