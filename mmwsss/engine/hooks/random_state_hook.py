"""Random states in checkpoints, so a resumed run repeats the uninterrupted
one exactly.

MMEngine re-seeds at start-up but does not restore the generators' states
on resume, so after a crash the dropout masks and the main-process
augmentations of the remaining epochs would differ from a run that never
stopped.  This hook stores Python's, NumPy's and torch's (CPU and CUDA)
generator states with every checkpoint and restores them on resume.
(DataLoader workers are seeded by MMEngine per worker; with
``persistent_workers=False`` they restart from those seeds every epoch, so
they need nothing here.)
"""
import random

import numpy as np
import torch
from mmengine.hooks import Hook

from mmwsss.registry import HOOKS

KEY = 'random_states'


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Save and restore the random generators' states with checkpoints."""

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self._loaded = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        states = dict(python=random.getstate(),
                      numpy=np.random.get_state(),
                      torch=torch.get_rng_state())
        if torch.cuda.is_available():
            states['cuda'] = torch.cuda.get_rng_state_all()
        checkpoint[KEY] = states

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        # applied in before_train: between loading and the first epoch the
        # runner still builds things, and they must draw what an
        # uninterrupted run drew
        self._loaded = checkpoint.get(KEY)

    def before_train(self, runner) -> None:
        states, self._loaded = self._loaded, None
        if not states or runner.iter == 0:
            # fresh run, weights-only load_from, or a checkpoint saved
            # without this hook
            return
        random.setstate(states['python'])
        np.random.set_state(states['numpy'])
        torch.set_rng_state(states['torch'])
        if 'cuda' in states and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(states['cuda'])
