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

from mmwsss.utils.dist import init_distributed


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


def latest_complete_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint to resume from: the one ``last_checkpoint`` names if
    it is intact, else the newest intact ``epoch_N``/``iter_N`` file."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as handle:
            named = handle.read().strip()
        if named and osp.isfile(named) and is_complete_checkpoint(named):
            return named
    candidates = glob.glob(osp.join(work_dir, 'epoch_*.pth')) + glob.glob(
        osp.join(work_dir, 'iter_*.pth'))
    for path in sorted(candidates, key=_checkpoint_number, reverse=True):
        if is_complete_checkpoint(path):
            return path
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
    repeats an uninterrupted one); returns the final checkpoint's path."""
    keep_random_states(cfg)
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
