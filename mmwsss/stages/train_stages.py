"""Stages that train or test a model with an ordinary MMEngine config."""
import gc
import json
import numbers
import os.path as osp
from typing import Dict, Optional

from mmengine.dist import get_rank
from mmengine.runner import Runner

from mmwsss.apis import (check_checkpoint, check_config, prepare_launcher,
                         train_resumable)
from mmwsss.registry import STAGES
from mmwsss.utils.io import atomic_write
from .base import BaseStage, Port, StageContext


def _reproducible_loader(cfg) -> None:
    """Persistent workers keep their random streams across epochs, which a
    resumed run cannot restore; fresh workers per epoch restart from
    MMEngine's per-worker seeds in every run alike."""
    loader = cfg.get('train_dataloader') or {}
    if loader.get('num_workers', 0) > 0:
        loader['persistent_workers'] = False


@STAGES.register_module()
class TrainStage(BaseStage):
    """Train the config's model in the stage folder (``tools/train.py``
    inside the pipeline).  Resumes from the newest intact checkpoint.

    Outputs: ``checkpoint`` (the final one) and any ``outputs`` declared
    here (name -> path inside the stage folder, e.g. the AE loop's
    ``erasing/regions``).
    """
    dataset_key = 'train_dataloader'
    OUTPUTS = dict(checkpoint=Port('checkpoint'))

    def __init__(self, outputs: Optional[Dict[str, str]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.outputs = dict(outputs or {})

    def declared_outputs(self) -> Dict[str, Port]:
        """The checkpoint, and what the training loop exports (the AE
        loop's erasing ``regions``), named by ``outputs``."""
        return dict(self.OUTPUTS, **{name: Port(
            'regions' if name == 'regions' else 'folder')
            for name in self.outputs})

    def run(self, ctx: StageContext, cfg) -> Dict[str, str]:
        check_config(cfg, f'stage {ctx.name!r} ({self.config})')
        _reproducible_loader(cfg)
        prepare_launcher(cfg, ctx.launcher)
        cfg.experiment_name = f'{ctx.name}'
        final = train_resumable(cfg)
        gc.collect()
        return dict(checkpoint=osp.relpath(final, ctx.stage_dir),
                    **self.outputs)


@STAGES.register_module()
class TestStage(BaseStage):
    """Evaluate a checkpoint (input ``checkpoint``) with the config's test
    dataloader and evaluator; output ``metrics`` (a JSON file) and, with
    ``save_predictions``, ``predictions`` (a palette PNG per image, for
    the error analysis of a ``ScoreLabelsStage``)."""
    dataset_key = 'test_dataloader'
    INPUTS = dict(checkpoint=Port('checkpoint'))
    OUTPUTS = dict(metrics=Port('json'))

    def __init__(self, save_predictions: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.save_predictions = save_predictions

    def declared_outputs(self) -> Dict[str, Port]:
        outputs = dict(self.OUTPUTS)
        if self.save_predictions:
            outputs['predictions'] = Port('masks')
        return outputs

    def run(self, ctx: StageContext, cfg) -> Dict[str, str]:
        self.require(ctx)
        check_config(cfg, f'stage {ctx.name!r} ({self.config})')
        check_checkpoint(cfg, ctx.inputs['checkpoint'])
        prepare_launcher(cfg, ctx.launcher)
        outputs = dict(metrics='metrics.json')
        if self.save_predictions:
            cfg.test_evaluator['output_dir'] = osp.join(ctx.stage_dir,
                                                        'predictions')
            outputs['predictions'] = 'predictions'
        cfg.load_from = ctx.inputs['checkpoint']
        cfg.experiment_name = f'{ctx.name}'
        runner = Runner.from_cfg(cfg)
        metrics = runner.test()
        del runner
        gc.collect()
        if get_rank() == 0:
            with atomic_write(osp.join(ctx.stage_dir, 'metrics.json'),
                              'w') as handle:
                json.dump({k: float(v) for k, v in metrics.items()
                           if isinstance(v, numbers.Real)}, handle, indent=2)
        return outputs
