"""Stages that run the per-image steps of :mod:`mmwsss.pseudo_labels`
(saliency, CAMs, pseudo masks, PSL++ masks) and score pseudo masks, each
writing one folder in its stage dir.

They call the same functions as ``tools/make_*.py``: every file is written
atomically and skipped when present (an interrupted stage continues), and
ranks share the images.  Each records its tally in its marker; a mask
stage whose labelled images lose every object pixel beyond
``max_empty_share`` stops the pipeline (a broken input, e.g. all-zero CAMs
or another dataset's saliency maps, must not train silently).
"""
import json
import os.path as osp
from typing import Dict, Optional, Sequence

from mmengine.config import Config
from mmengine.dist import barrier, get_rank
from mmengine.logging import print_log
from mmengine.registry import init_default_scope

from mmwsss.apis import check_config, init_model
from mmwsss.datasets.pixel_labels import pixel_labelled_infos, read_true_mask
from mmwsss.evaluation import error_table, score_label_folder
from mmwsss.pseudo_labels import (make_cams, make_pseudo_labels,
                                  make_psl_plus_labels, make_saliency_maps,
                                  split_by_list, split_simple_complex,
                                  tally_label_folder, write_split)
from mmwsss.pseudo_labels.calibration import (MODE_SETTINGS,
                                              calibrate_pseudo_labels)
from mmwsss.pseudo_labels.masks import PSEUDO_LABEL_DEFAULTS
from mmwsss.registry import DATASETS, STAGES
from mmwsss.saliency import build_saliency
from mmwsss.utils.dist import init_distributed
from mmwsss.utils.io import atomic_write
from mmwsss.visualization import plot_error_bars
from .base import BaseStage, StageContext

#: A mask stage fails when more than this share of the labelled images
#: get no object pixel at all (healthy runs lose a few percent).
DEFAULT_MAX_EMPTY_SHARE = 0.25


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
    """Shared set-up: config with scope, dataset of ``dataset_key`` (the
    training split without augmentation, ``cam_dataloader``), and for the
    stages that run a model, its batch size (``batch_size``, default the
    dataloader's)."""

    def __init__(self, dataset_key: str = 'cam_dataloader',
                 batch_size: Optional[int] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.dataset_key = dataset_key
        self.batch_size = batch_size
        self.report: dict = {}

    def dataset(self, cfg: Config):
        init_default_scope(cfg.get('default_scope', 'mmseg'))
        if not cfg.get(self.dataset_key):
            raise KeyError(f'config has no {self.dataset_key} (the images '
                           'this stage works on)')
        return DATASETS.build(cfg[self.dataset_key].dataset)

    def loader_settings(self, cfg: Config) -> dict:
        loader = cfg[self.dataset_key]
        return dict(batch_size=self.batch_size or loader.get('batch_size', 1),
                    num_workers=loader.get('num_workers', 0))

    def record(self, ctx: StageContext, tally: dict) -> None:
        self.report = dict(tally=tally)
        print_log(f'stage {ctx.name!r}: {tally}', logger='current')


class _MaskStage(_ToolStage):
    """A stage that writes pseudo masks (``labels``) and checks them."""

    def __init__(self, max_empty_share: float = DEFAULT_MAX_EMPTY_SHARE,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.max_empty_share = max_empty_share

    def check_masks(self, ctx: StageContext, dataset, folder: str) -> None:
        barrier()  # every rank has written its shard
        summary = tally_label_folder(dataset, folder)
        self.report['masks'] = summary
        labelled = max(summary['labelled_images'], 1)
        share = summary['empty_labelled_images'] / labelled
        print_log(
            f'stage {ctx.name!r}: background '
            f'{summary["background_pixels"]:.1f}'
            f'% / object {summary["foreground_pixels"]:.1f}% / ignored '
            f'{summary["ignored_pixels"]:.1f}% of pixels; '
            f'{summary["empty_labelled_images"]} of {labelled} labelled '
            'images without any object pixel', logger='current')
        if share > self.max_empty_share:
            raise RuntimeError(
                f'stage {ctx.name!r}: {summary["empty_labelled_images"]} of '
                f'{labelled} labelled images got no object pixel in {folder} '
                f'(e.g. {summary["empty_examples"]}), more than '
                f'max_empty_share={self.max_empty_share}: check its inputs '
                f'({ctx.inputs})')


@STAGES.register_module()
class SaliencyStage(_ToolStage):
    """Saliency maps of the training images (output ``maps``); the
    backend is ``saliency`` here or the config's ``saliency`` dict."""

    def __init__(self, saliency: Optional[dict] = None, batch_size: int = 8,
                 **kwargs) -> None:
        super().__init__(batch_size=batch_size, **kwargs)
        self.saliency = saliency

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        dataset = self.dataset(cfg)
        backend_cfg = ctx.fill(self.saliency or cfg.get('saliency'))
        if not backend_cfg:
            raise ValueError(f'stage {ctx.name!r}: no saliency backend (set '
                             'saliency= in the stage or its config)')
        self.record(ctx, make_saliency_maps(
            build_saliency(dict(backend_cfg)), dataset,
            osp.join(ctx.stage_dir, 'maps'), batch_size=self.batch_size))
        return dict(maps='maps')


@STAGES.register_module()
class CAMStage(_ToolStage):
    """CAMs of the training images from the classifier of input
    ``checkpoint`` (output ``cams``)."""

    def __init__(self, scales: Optional[Sequence[float]] = None,
                 flip: Optional[bool] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scales, self.flip = scales, flip

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        _require(ctx, 'checkpoint')
        dataset = self.dataset(cfg)
        check_config(cfg, f'stage {ctx.name!r}')
        model = init_model(cfg, ctx.inputs['checkpoint'], device=_device(ctx))
        self.record(ctx, make_cams(
            model, dataset, osp.join(ctx.stage_dir, 'cams'),
            scales=self.scales, flip=self.flip, **self.loader_settings(cfg)))
        return dict(cams='cams')


@STAGES.register_module()
class PseudoLabelStage(_MaskStage):
    """Pseudo masks of the training images (output ``labels``) in one of
    :data:`mmwsss.pseudo_labels.MODES`; inputs ``cams``, ``regions`` and
    ``saliency`` as the mode needs."""

    def __init__(self, mode: str = 'ae_saliency', crf: Optional[str] = None,
                 workers: int = 1, fuse_steps: Optional[int] = None,
                 bg_threshold: Optional[float] = None,
                 saliency_threshold: Optional[float] = None,
                 cam_threshold: Optional[float] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mode, self.crf, self.workers = mode, crf, workers
        # only the thresholds a config sets: the others keep
        # make_pseudo_labels' defaults (and the stage's fingerprint)
        given = dict(fuse_steps=fuse_steps, bg_threshold=bg_threshold,
                     saliency_threshold=saliency_threshold,
                     cam_threshold=cam_threshold)
        self.thresholds = {k: v for k, v in given.items() if v is not None}

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        dataset = self.dataset(cfg)
        out_dir = osp.join(ctx.stage_dir, 'labels')
        cues = dict(cam_dir=ctx.inputs.get('cams'),
                    regions_dir=ctx.inputs.get('regions'),
                    saliency_dir=ctx.inputs.get('saliency'))
        chosen = self.calibrate(ctx, dataset, cues)
        self.record(ctx, make_pseudo_labels(
            dataset, out_dir, self.mode, crf=self.crf,
            num_workers=self.workers, **cues,
            **dict(self.thresholds, **chosen['settings'])))
        if chosen['images']:
            self.report['calibration'] = chosen
        self.check_masks(ctx, dataset, out_dir)
        return dict(labels='labels')

    def calibrate(self, ctx: StageContext, dataset, cues: dict) -> dict:
        """The thresholds the config leaves at their defaults, chosen on
        the dataset's pixel-labelled images when it has some
        (:mod:`mmwsss.pseudo_labels.calibration`); ``settings`` is empty
        without them."""
        subset = pixel_labelled_infos(dataset)
        free = [name for name in MODE_SETTINGS[self.mode]
                if name not in self.thresholds]
        if not subset or not free:
            return dict(settings={}, images=0)
        defaults = dict(PSEUDO_LABEL_DEFAULTS, **self.thresholds)
        chosen = calibrate_pseudo_labels(
            subset, read_true_mask, self.mode, len(dataset.metainfo[
                'classes']), defaults, names=free, **cues)
        print_log(
            f'stage {ctx.name!r}: on its {chosen["images"]} pixel-labelled '
            f'images, {chosen["settings"]} give masks of mIoU '
            f'{chosen["chosen"]["mIoU"]:.2f} (defaults: '
            f'{chosen["default"]["mIoU"]:.2f})', logger='current')
        return chosen


@STAGES.register_module()
class PredictedLabelStage(_MaskStage):
    """Masks predicted by the segmentor of input ``checkpoint`` for the
    images of ``dataset_key`` (output ``labels``), restricted to each
    image's labelled classes, optionally re-weighted by a PSL branch
    (``use_cls_weights``) and refined by the dense CRF (``crf``): STC's
    "predicted, corrected by the labels" masks with the defaults, where
    the network decides object against background and the labels the
    class (``absent_classes='merge'``, :mod:`mmwsss.pseudo_labels.psl_plus`).
    With an input ``keep`` (a folder of masks), the pixels those masks
    label keep their label and the prediction fills only their ignored
    pixels.
    """

    def __init__(self, crf: Optional[str] = None,
                 use_cls_weights: bool = False, crf_workers: int = 1,
                 absent_classes: str = 'merge', **kwargs) -> None:
        super().__init__(**kwargs)
        self.crf, self.use_cls_weights = crf, use_cls_weights
        self.crf_workers = crf_workers
        self.absent_classes = absent_classes

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        _require(ctx, 'checkpoint')
        dataset = self.dataset(cfg)
        model = init_model(cfg, ctx.inputs['checkpoint'], device=_device(ctx))
        out_dir = osp.join(ctx.stage_dir, 'labels')
        self.record(ctx, make_psl_plus_labels(
            model, dataset, out_dir, crf=self.crf,
            use_cls_weights=self.use_cls_weights,
            absent_classes=self.absent_classes, crf_workers=self.crf_workers,
            keep_masks_dir=ctx.inputs.get('keep'),
            **self.loader_settings(cfg)))
        self.check_masks(ctx, dataset, out_dir)
        return dict(labels='labels')


@STAGES.register_module()
class PSLPlusLabelStage(PredictedLabelStage):
    """PSL++ masks (output ``labels``): the segmentor of input
    ``checkpoint`` predicts the training images, its classification branch
    re-weights them, absent classes are removed, the dense CRF refines
    (an input ``keep`` makes it complete those masks instead,
    :mod:`mmwsss.pseudo_labels.psl_plus`)."""

    def __init__(self, crf: Optional[str] = 'deeplab',
                 use_cls_weights: bool = True, absent_classes: str = 'drop',
                 **kwargs) -> None:
        super().__init__(crf=crf, use_cls_weights=use_cls_weights,
                         absent_classes=absent_classes, **kwargs)


@STAGES.register_module()
class SplitSimpleImagesStage(_ToolStage):
    """STC's split (outputs ``simple`` and ``complex``, image-id lists, and
    ``sheet``, a PNG of the simple images beside their saliency): by the
    rules of :mod:`mmwsss.pseudo_labels.simple_images` on the saliency
    maps of input ``saliency``, or from an explicit ``simple_list`` file
    of image ids (``rules`` overrides single thresholds)."""

    def __init__(self, simple_list: Optional[str] = None,
                 rules: Optional[dict] = None, sheet_images: int = 24,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.simple_list, self.rules = simple_list, rules
        self.sheet_images = sheet_images

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        dataset = self.dataset(cfg)
        if self.simple_list:
            split = split_by_list(dataset, ctx.fill(self.simple_list))
        else:
            _require(ctx, 'saliency')
            split = split_simple_complex(dataset, ctx.inputs['saliency'],
                                         self.rules)
        self.report = dict(simple=len(split['simple']),
                           complex=len(split['complex']),
                           failures=dict(split.get('failures', {})),
                           empty_saliency=split.get('empty_saliency', []))
        print_log(f'stage {ctx.name!r}: {self.report}', logger='current')
        if get_rank() == 0:
            write_split(split, ctx.stage_dir, dataset,
                        ctx.inputs.get('saliency'), self.sheet_images)
        return dict(simple='simple.txt', complex='complex.txt',
                    sheet='simple_sheet.png')


@STAGES.register_module()
class ScoreLabelsStage(_ToolStage):
    """Evaluation: mIoU / precision / recall of the masks of input
    ``labels`` against the dataset's ground-truth masks, with the split of
    the errors (outputs ``scores``, a JSON file, and ``errors``, a PNG of
    per-class bars; ``errors.md`` beside it holds the table).  Reads
    ground truth, so it only measures; nothing trains on its output."""

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        _require(ctx, 'labels')
        dataset = self.dataset(cfg)
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
