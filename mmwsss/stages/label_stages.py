"""Stages that run the per-image tools (saliency, CAMs, pseudo masks, PSL++
masks) and score pseudo masks, each writing one folder in its stage dir.

They call the same functions as ``tools/make_*.py``: every file is written
atomically and skipped when present (an interrupted stage continues), and
ranks share the images.
"""
import json
import os.path as osp
from typing import Dict, Optional, Sequence

from mmengine.config import Config
from mmengine.dist import get_rank
from mmengine.logging import print_log
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

from mmwsss.apis import init_model, make_cams, make_saliency_maps
from mmwsss.apis.config_checks import check_config
from mmwsss.apis.pseudo_label_generation import make_pseudo_labels
from mmwsss.apis.pseudo_label_scoring import score_label_folder
from mmwsss.apis.psl_plus_labels import make_psl_plus_labels
from mmwsss.evaluation.mask_analysis import error_table
from mmwsss.registry import STAGES
from mmwsss.saliency import build_saliency
from mmwsss.utils.dist import init_distributed
from mmwsss.utils.io import atomic_write
from mmwsss.visualization import plot_error_bars
from .base import BaseStage, StageContext


def _device(ctx: StageContext) -> str:
    import torch
    if ctx.launcher != 'none' and not torch.distributed.is_initialized():
        return init_distributed(ctx.launcher)
    if not torch.cuda.is_available():
        return 'cpu'
    return f'cuda:{torch.cuda.current_device()}'


def _require(ctx: StageContext, *names: str) -> None:
    missing = [n for n in names if n not in ctx.inputs]
    if missing:
        raise ValueError(f'stage {ctx.name!r} needs inputs named {missing}')


class _ToolStage(BaseStage):
    """Shared set-up: config with scope, dataset of ``dataset_key``."""

    def __init__(self, dataset_key: str = 'cam_dataloader',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.dataset_key = dataset_key

    def setup(self, ctx: StageContext):
        cfg = self.load_config(ctx)
        init_default_scope(cfg.get('default_scope', 'mmseg'))
        dataset = DATASETS.build(cfg[self.dataset_key].dataset)
        return cfg, dataset, _device(ctx)

    def loader_settings(self, cfg: Config) -> dict:
        loader = cfg[self.dataset_key]
        return dict(batch_size=loader.get('batch_size', 1),
                    num_workers=loader.get('num_workers', 0))


@STAGES.register_module()
class SaliencyStage(_ToolStage):
    """Saliency maps of the training images (output ``maps``); the
    backend is ``saliency`` here or the config's ``saliency`` dict."""

    def __init__(self, saliency: Optional[dict] = None, batch_size: int = 8,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.saliency = saliency
        self.batch_size = batch_size

    def run(self, ctx: StageContext) -> Dict[str, str]:
        cfg, dataset, _ = self.setup(ctx)
        backend_cfg = ctx.fill(self.saliency or cfg.get('saliency'))
        if not backend_cfg:
            raise ValueError(f'stage {ctx.name!r}: no saliency backend (set '
                             'saliency= in the stage or its config)')
        make_saliency_maps(build_saliency(dict(backend_cfg)), dataset,
                           osp.join(ctx.stage_dir, 'maps'),
                           batch_size=self.batch_size)
        return dict(maps='maps')


@STAGES.register_module()
class CAMStage(_ToolStage):
    """CAMs of the training images from the classifier of input
    ``checkpoint`` (output ``cams``)."""

    def __init__(self, scales: Optional[Sequence[float]] = None,
                 flip: Optional[bool] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scales, self.flip = scales, flip

    def run(self, ctx: StageContext) -> Dict[str, str]:
        _require(ctx, 'checkpoint')
        cfg, dataset, device = self.setup(ctx)
        check_config(cfg, f'stage {ctx.name!r}')
        model = init_model(cfg, ctx.inputs['checkpoint'], device=device)
        make_cams(model, dataset, osp.join(ctx.stage_dir, 'cams'),
                  scales=self.scales, flip=self.flip,
                  **self.loader_settings(cfg))
        return dict(cams='cams')


@STAGES.register_module()
class PseudoLabelStage(_ToolStage):
    """Pseudo masks of the training images (output ``labels``) in one of
    :data:`mmwsss.apis.pseudo_label_generation.MODES`; inputs ``cams``,
    ``regions`` and ``saliency`` as the mode needs."""

    def __init__(self, mode: str = 'ae_saliency', crf: Optional[str] = None,
                 workers: int = 1, **settings) -> None:
        base_keys = ('config', 'cfg_options', 'inputs', 'dataset_key')
        super().__init__(**{k: settings.pop(k) for k in base_keys
                            if k in settings})
        self.mode, self.crf, self.workers = mode, crf, workers
        self.settings = settings  # fuse_steps, thresholds

    def run(self, ctx: StageContext) -> Dict[str, str]:
        _, dataset, _ = self.setup(ctx)
        make_pseudo_labels(
            dataset, osp.join(ctx.stage_dir, 'labels'), self.mode,
            cam_dir=ctx.inputs.get('cams'),
            regions_dir=ctx.inputs.get('regions'),
            saliency_dir=ctx.inputs.get('saliency'), crf=self.crf,
            num_workers=self.workers, **self.settings)
        return dict(labels='labels')


@STAGES.register_module()
class PSLPlusLabelStage(_ToolStage):
    """PSL++ masks (output ``labels``): the segmentor of input
    ``checkpoint`` predicts the training images, its classification branch
    re-weights them, absent classes are removed, the dense CRF refines."""

    def __init__(self, crf: Optional[str] = 'deeplab',
                 use_cls_weights: bool = True, crf_workers: int = 1,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.crf, self.use_cls_weights = crf, use_cls_weights
        self.crf_workers = crf_workers

    def run(self, ctx: StageContext) -> Dict[str, str]:
        _require(ctx, 'checkpoint')
        cfg, dataset, device = self.setup(ctx)
        model = init_model(cfg, ctx.inputs['checkpoint'], device=device)
        make_psl_plus_labels(
            model, dataset, osp.join(ctx.stage_dir, 'labels'), crf=self.crf,
            use_cls_weights=self.use_cls_weights,
            crf_workers=self.crf_workers, **self.loader_settings(cfg))
        return dict(labels='labels')


@STAGES.register_module()
class ScoreLabelsStage(_ToolStage):
    """Evaluation: mIoU / precision / recall of the pseudo masks of input
    ``labels`` against the dataset's ground-truth masks, with the split of
    the errors (outputs ``scores``, a JSON file, and ``errors``, a PNG of
    per-class bars; ``errors.md`` beside it holds the table).  Reads ground truth, so it only measures; nothing
    trains on its output."""

    def run(self, ctx: StageContext) -> Dict[str, str]:
        _require(ctx, 'labels')
        _, dataset, _ = self.setup(ctx)
        if get_rank() == 0:
            scores = score_label_folder(dataset, ctx.inputs['labels'])
            print_log(f'stage {ctx.name!r}: mIoU {scores["mIoU"]:.2f}, '
                      f'precision {scores["precision"]:.2f}, recall '
                      f'{scores["recall"]:.2f}', logger='current')
            with atomic_write(osp.join(ctx.stage_dir, 'scores.json'),
                              'w') as handle:
                json.dump(scores, handle, indent=2)
            with atomic_write(osp.join(ctx.stage_dir, 'errors.md'),
                              'w') as handle:
                handle.write(error_table(scores) + '\n')
            plot_error_bars(osp.join(ctx.stage_dir, 'errors.png'), scores,
                            ctx.name)
        return dict(scores='scores.json', errors='errors.png')
