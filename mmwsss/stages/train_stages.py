"""Stages that train or test a model with an ordinary MMEngine config."""
import gc
import json
import numbers
import os.path as osp
from typing import Dict

from mmengine.dist import get_rank
from mmengine.runner import Runner

from mmwsss.apis import (check_checkpoint, check_config, prepare_launcher,
                         train_resumable)
from mmwsss.engine.loops.adversarial_erasing_loop import ERASING_EXPORT
from mmwsss.registry import STAGES
from mmwsss.utils.io import atomic_write
from .base import BaseStage, Port, StageContext, placeholder_port


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

    Output: ``checkpoint`` (the final one).  A subclass whose training loop
    also exports files names them in :attr:`EXPORTS`.  Its inputs reach
    the config through ``{placeholders}`` of its options (pseudo
    ``masks``, soft ``maps``, ``proposals``, a ``simple`` image list,
    ``saliency`` maps, an ``init`` or ``classifier_checkpoint`` to start
    from); declared here so that their kinds are checked.
    """
    dataset_key = 'train_dataloader'
    INPUTS = dict(masks=placeholder_port('masks'),
                  maps=placeholder_port('maps'),
                  proposals=placeholder_port('proposals'),
                  simple=placeholder_port('list'),
                  saliency=placeholder_port('maps'),
                  init=placeholder_port('checkpoint'),
                  classifier_checkpoint=placeholder_port('checkpoint'))
    OUTPUTS = dict(checkpoint=Port('checkpoint'))
    #: what the training loop writes besides checkpoints: output name ->
    #: path inside the stage folder (each also in :attr:`OUTPUTS`)
    EXPORTS: Dict[str, str] = {}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # part of the stage's settings, so of its fingerprint (as when
        # configs named them: work dirs of then still match)
        self.outputs = dict(self.EXPORTS)

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
class AdversarialErasingStage(TrainStage):
    """Train an AE classifier (its config's ``train_cfg`` is the
    :class:`~mmwsss.engine.AdversarialErasingLoop`): outputs the final
    ``checkpoint`` and the ``regions`` the loop mined at every erasing
    step (``erasing/regions/<image>.npz``)."""
    OUTPUTS = dict(TrainStage.OUTPUTS, regions=Port('regions'))
    EXPORTS = dict(regions=osp.join(ERASING_EXPORT, 'regions'))

    def run(self, ctx: StageContext, cfg) -> Dict[str, str]:
        loop = (cfg.get('train_cfg') or {}).get('type')
        if loop != 'AdversarialErasingLoop':
            raise ValueError(
                f'stage {ctx.name!r} ({self.config}): an '
                "AdversarialErasingStage trains with train_cfg type "
                f"'AdversarialErasingLoop', this config's is {loop!r} (use "
                'TrainStage for other training)')
        return super().run(ctx, cfg)


@STAGES.register_module()
class TestStage(BaseStage):
    """Evaluate a checkpoint (input ``checkpoint``) with the config's test
    dataloader and evaluator; output ``metrics`` (a JSON file) and, with
    ``save_predictions``, ``predictions`` (a palette PNG per image, for
    the error analysis of a ``ScoreLabelsStage``)."""
    dataset_key = 'test_dataloader'
    INPUTS = dict(checkpoint=Port('checkpoint'))
    #: everything a test stage can write (``predictions`` only with
    #: ``save_predictions``, :meth:`declared_outputs`)
    OUTPUTS = dict(metrics=Port('json'), predictions=Port('masks'))

    def __init__(self, save_predictions: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.save_predictions = save_predictions

    def declared_outputs(self) -> Dict[str, Port]:
        outputs = dict(self.OUTPUTS)
        if not self.save_predictions:
            del outputs['predictions']
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
