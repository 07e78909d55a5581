"""What MMSeg's own entry points need to run mmwsss configs unchanged.

MMSeg's ``tools/train.py`` builds the runner named by ``runner_type``
(``RUNNERS.build(cfg)``): :class:`WSSSRunner` completes the config first,
as mmwsss's tools do (:func:`~mmwsss.apis.prepare_config`: ``data_root=DIR``
overrides, ``num_classes=None`` from the labels file, relative paths), so
``--cfg-options data_root=DIR`` works there too.  MMSeg's ``tools/test.py``
calls ``Runner.from_cfg`` whatever the config names; the start-up hook
(:mod:`mmwsss_startup`) makes that call build :class:`WSSSRunner` for a
config naming it, so the test tool completes the config the same way.

MMSeg's ``init_model`` and ``MMSegInferencer`` build the model from the
config as it is: :func:`complete_model_config` fills an open
``num_classes`` for them (the start-up hook :mod:`mmwsss_startup` wraps
them).

MMSeg's ``tools/test.py --show-dir`` turns on the config's visualisation
hook, and MMSeg's ``SegVisualizationHook`` reads ``runner.iter``, which
builds the train loop and with it the training dataset: for mmwsss's
configs that dataset wants pseudo masks a test run does not have.
:class:`WSSSVisualizationHook` draws the same without building it.
"""
import copy
from typing import Optional, Sequence

from mmengine.config import Config
from mmengine.runner import BaseLoop, CheckpointLoader, Runner
from mmseg.engine.hooks import SegVisualizationHook
from mmseg.registry import RUNNERS

from mmwsss.registry import HOOKS
from .config_checks import class_heads, check_config, prepare_config
from .training import keep_random_states


def checkpoint_classes(checkpoint: Optional[str]) -> Optional[list]:
    """The class names a checkpoint was trained with (MMEngine keeps the
    dataset's metainfo in ``meta['dataset_meta']``), or ``None``."""
    if not checkpoint:
        return None
    state = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    meta = state.get('meta') or {}
    return (meta.get('dataset_meta') or {}).get('classes')


def complete_model_config(config: Config,
                          checkpoint: Optional[str] = None) -> Config:
    """A copy of ``config`` whose open ``num_classes`` is filled for MMSeg's
    ``init_model`` / ``MMSegInferencer`` (the start-up hook calls this):
    from the classes ``checkpoint`` was trained with, else as mmwsss's
    tools do (:func:`prepare_config`: the labels file under ``data_root``)."""
    cfg = copy.deepcopy(config)
    classes = checkpoint_classes(checkpoint)
    if classes:
        for head in class_heads(cfg.model):
            if head['num_classes'] is None:
                head['num_classes'] = len(classes)
        return cfg
    return prepare_config(cfg, cfg.filename)


@RUNNERS.register_module()
class WSSSRunner(Runner):
    """MMEngine's runner on a config completed as mmwsss's tools complete
    it (``runner_type = 'WSSSRunner'``; see the module docstring)."""

    @classmethod
    def from_cfg(cls, cfg: Config) -> Runner:
        cfg = copy.deepcopy(cfg)
        name = cfg.filename or '<config>'
        prepare_config(cfg, cfg.filename)
        check_config(cfg, name)
        keep_random_states(cfg)
        return super().from_cfg(cfg)


class _RunnerWithoutTrainLoop:
    """A runner seen by MMSeg's visualisation hook: ``iter`` is the train
    loop's iteration once that loop exists, else 0 (as ``Runner.iter``
    says before training), without building the loop."""

    def __init__(self, runner: Runner) -> None:
        self._runner = runner

    def __getattr__(self, name: str):
        return getattr(self._runner, name)

    @property
    def iter(self) -> int:
        loop = self._runner._train_loop
        return loop.iter if isinstance(loop, BaseLoop) else 0


@HOOKS.register_module()
class WSSSVisualizationHook(SegVisualizationHook):
    """MMSeg's ``SegVisualizationHook`` (same arguments, same drawings) that
    does not build the train loop in a test run (module docstring)."""

    def _after_iter(self, runner: Runner, batch_idx: int, data_batch: dict,
                    outputs: Sequence, mode: str = 'val') -> None:
        super()._after_iter(_RunnerWithoutTrainLoop(runner), batch_idx,
                            data_batch, outputs, mode)
