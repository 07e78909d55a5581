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
from mmengine.dist import get_rank
from mmengine.logging import print_log

from mmwsss.apis import check_config
from mmwsss.datasets.pixel_labels import pixel_labelled_infos, read_true_mask
from mmwsss.evaluation import error_table, score_label_folder
from mmwsss.pseudo_labels import (make_cams, make_pseudo_labels,
                                  make_psl_plus_labels, make_saliency_maps,
                                  split_by_list, split_simple_complex,
                                  write_split)
from mmwsss.pseudo_labels.affinity import (AFFINITY_DEFAULTS, FILLS,
                                           make_affinity_labels)
from mmwsss.pseudo_labels.calibration import (MODE_SETTINGS,
                                              calibrate_pseudo_labels)
from mmwsss.pseudo_labels.cue_checks import (SALIENCY_MODES, cue_agreement,
                                             describe_cue_agreement)
from mmwsss.pseudo_labels.masks import (MODES, PSEUDO_LABEL_DEFAULTS,
                                        check_contested, mask_cues_needed)
from mmwsss.pseudo_labels.teacher_rule import read_teacher_rule
from mmwsss.registry import STAGES
from mmwsss.saliency import build_saliency
from mmwsss.utils.io import atomic_write
from mmwsss.utils.workers import WorkerCount
from mmwsss.visualization import plot_error_bars, write_simple_sheet
from .base import MaskStage, Port, StageContext, ToolStage, placeholder_port


@STAGES.register_module()
class SaliencyStage(ToolStage):
    """Saliency maps of the training images (output ``maps``); the
    backend is ``saliency`` here or the config's ``saliency`` dict."""
    OUTPUTS = dict(maps=Port('maps'))

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
class CAMStage(ToolStage):
    """CAMs of the training images from the classifier of input
    ``checkpoint`` (output ``cams``)."""
    INPUTS = dict(checkpoint=Port('checkpoint'))
    OUTPUTS = dict(cams=Port('cams'))

    def __init__(self, scales: Optional[Sequence[float]] = None,
                 flip: Optional[bool] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scales, self.flip = scales, flip

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        check_config(cfg, f'stage {ctx.name!r}')
        dataset, model = self.dataset_and_model(ctx, cfg)
        self.record(ctx, make_cams(
            model, dataset, osp.join(ctx.stage_dir, 'cams'),
            scales=self.scales, flip=self.flip, **self.loader_settings(cfg)))
        return dict(cams='cams')


@STAGES.register_module()
class PseudoLabelStage(MaskStage):
    """Pseudo masks of the training images (output ``labels``) in one of
    :data:`mmwsss.pseudo_labels.MODES`; inputs ``cams``, ``regions`` and
    ``saliency`` as the mode needs."""
    INPUTS = dict(cams=Port('cams', required=False),
                  regions=Port('regions', required=False),
                  saliency=Port('maps', required=False))

    def __init__(self, mode: str = 'ae_saliency', crf: Optional[str] = None,
                 workers: WorkerCount = 'auto',
                 fuse_steps: Optional[int] = None,
                 bg_threshold: Optional[float] = None,
                 saliency_threshold: Optional[float] = None,
                 cam_threshold: Optional[float] = None,
                 contested: Optional[str] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mode, self.crf, self.workers = mode, crf, workers
        if contested is not None:
            check_contested(contested)  # at config load, not in a worker
        # only the settings a config sets: the others keep
        # make_pseudo_labels' defaults (and the stage's fingerprint)
        given = dict(fuse_steps=fuse_steps, bg_threshold=bg_threshold,
                     saliency_threshold=saliency_threshold,
                     cam_threshold=cam_threshold, contested=contested)
        self.thresholds = {k: v for k, v in given.items() if v is not None}

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        self.require(ctx)
        dataset = self.dataset(cfg)
        out_dir = osp.join(ctx.stage_dir, 'labels')
        cues = dict(cam_dir=ctx.inputs.get('cams'),
                    regions_dir=ctx.inputs.get('regions'),
                    saliency_dir=ctx.inputs.get('saliency'))
        chosen = self.calibrate(ctx, dataset, cues)
        settings = dict(self.thresholds, **chosen['settings'])
        self.record(ctx, make_pseudo_labels(
            dataset, out_dir, self.mode, crf=self.crf,
            num_workers=self.workers, **cues, **settings))
        if chosen['images']:
            self.report['calibration'] = chosen
        self.check_masks(ctx, dataset, out_dir)
        self.check_cues(ctx, dataset, cues, settings)
        return dict(labels='labels')

    def check_cues(self, ctx: StageContext, dataset, cues: dict,
                   settings: dict) -> None:
        """Report how often saliency and the class cues disagreed on the
        training images (:mod:`mmwsss.pseudo_labels.cue_checks`: where a
        cue can mislead on a user's photos, from train-side signals)."""
        if self.mode not in SALIENCY_MODES or get_rank() != 0:
            return
        shares = cue_agreement(dataset, self.mode,
                               dict(PSEUDO_LABEL_DEFAULTS, **settings),
                               **cues)
        self.report['cues'] = shares
        print_log(f'stage {ctx.name!r}: {describe_cue_agreement(shares)}',
                  logger='current')

    def required_inputs(self) -> Dict[str, Port]:
        needs = mask_cues_needed(self.mode) if self.mode in MODES else {}
        return {name: Port(port.kind) for name, port in self.INPUTS.items()
                if needs.get(name)}

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
class PredictedLabelStage(MaskStage):
    """Masks predicted by the segmentor of input ``checkpoint`` for the
    images of ``dataset_key`` (output ``labels``), restricted to each
    image's labelled classes, optionally re-weighted by a PSL branch
    (``use_cls_weights``) and refined by the dense CRF (``crf``): STC's
    "predicted, corrected by the labels" masks with the defaults, where
    the network decides object against background and the labels the
    class (``absent_classes='merge'``, :mod:`mmwsss.pseudo_labels.psl_plus`).
    With an input ``keep`` (a folder of masks), the pixels those masks
    label keep their label and the prediction fills only their ignored
    pixels.  With an input ``under`` instead, the prediction's object
    pixels go over those masks, which decide where it says background (a
    teacher's masks over the cue masks,
    :mod:`mmwsss.pseudo_labels.psl_plus`), unless an input ``rule`` (the
    choice of :class:`~.teacher_stages.TeacherRuleStage`) says the
    teacher's masks go alone.  An input ``simple`` (an
    image-id list) may pick the images through a ``{simple}`` placeholder.
    """
    INPUTS = dict(checkpoint=Port('checkpoint'),
                  keep=Port('masks', required=False),
                  under=Port('masks', required=False),
                  rule=Port('json', required=False),
                  simple=placeholder_port('list'))

    def __init__(self, crf: Optional[str] = None,
                 use_cls_weights: bool = False,
                 crf_workers: WorkerCount = 'auto',
                 absent_classes: str = 'merge', **kwargs) -> None:
        super().__init__(**kwargs)
        self.crf, self.use_cls_weights = crf, use_cls_weights
        self.crf_workers = crf_workers
        self.absent_classes = absent_classes

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        dataset, model = self.dataset_and_model(ctx, cfg)
        out_dir = osp.join(ctx.stage_dir, 'labels')
        under = ctx.inputs.get('under')
        if under and ctx.inputs.get('rule'):
            rule = read_teacher_rule(ctx.inputs['rule'])
            print_log(f'stage {ctx.name!r}: teacher rule {rule!r} (from '
                      f'{ctx.inputs["rule"]})', logger='current')
            under = under if rule == 'under' else None
        self.record(ctx, make_psl_plus_labels(
            model, dataset, out_dir, crf=self.crf,
            use_cls_weights=self.use_cls_weights,
            absent_classes=self.absent_classes, crf_workers=self.crf_workers,
            keep_masks_dir=ctx.inputs.get('keep'), under_masks_dir=under,
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
class AffinityLabelStage(MaskStage):
    """The masks of input ``masks`` completed by a random walk on the
    affinities of the AffinityNet of input ``checkpoint`` (output
    ``labels``, :mod:`mmwsss.pseudo_labels.affinity`; defaults PSA's)."""
    INPUTS = dict(checkpoint=Port('checkpoint'), masks=Port('masks'))

    def __init__(self, beta: float = AFFINITY_DEFAULTS['beta'],
                 iterations: int = AFFINITY_DEFAULTS['iterations'],
                 keep_labelled: bool = AFFINITY_DEFAULTS['keep_labelled'],
                 fill: str = AFFINITY_DEFAULTS['fill'],
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if fill not in FILLS:
            raise ValueError(f'fill must be one of {FILLS}, got {fill!r}')
        self.walk = dict(beta=beta, iterations=iterations,
                         keep_labelled=keep_labelled, fill=fill)

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        dataset, model = self.dataset_and_model(ctx, cfg)
        out_dir = osp.join(ctx.stage_dir, 'labels')
        self.record(ctx, make_affinity_labels(
            model, dataset, ctx.inputs['masks'], out_dir, **self.walk,
            **self.loader_settings(cfg)))
        self.check_masks(ctx, dataset, out_dir)
        return dict(labels='labels')


@STAGES.register_module()
class SplitSimpleImagesStage(ToolStage):
    """STC's split (outputs ``simple`` and ``complex``, image-id lists, and
    ``sheet``, a PNG of the simple images beside their saliency): by the
    rules of :mod:`mmwsss.pseudo_labels.simple_images` on the saliency
    maps of input ``saliency``, or from an explicit ``simple_list`` file
    of image ids (``rules`` overrides single thresholds)."""
    INPUTS = dict(saliency=Port('maps', required=False))
    OUTPUTS = dict(simple=Port('list'), complex=Port('list'),
                   sheet=Port('png'))

    def __init__(self, simple_list: Optional[str] = None,
                 rules: Optional[dict] = None, sheet_images: int = 24,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.simple_list, self.rules = simple_list, rules
        self.sheet_images = sheet_images

    def required_inputs(self) -> Dict[str, Port]:
        return {} if self.simple_list else dict(saliency=Port('maps'))

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        self.require(ctx)
        dataset = self.dataset(cfg)
        if self.simple_list:
            split = split_by_list(dataset, ctx.fill(self.simple_list))
        else:
            split = split_simple_complex(dataset, ctx.inputs['saliency'],
                                         self.rules)
        self.report = dict(simple=len(split['simple']),
                           complex=len(split['complex']),
                           failures=dict(split.get('failures', {})),
                           empty_saliency=split.get('empty_saliency', []))
        print_log(f'stage {ctx.name!r}: {self.report}', logger='current')
        if get_rank() == 0:
            write_split(split, ctx.stage_dir)
            write_simple_sheet(ctx.stage_dir, dataset, split['simple'],
                               ctx.inputs.get('saliency'), self.sheet_images)
        return dict(simple='simple.txt', complex='complex.txt',
                    sheet='simple_sheet.png')


@STAGES.register_module()
class ScoreLabelsStage(ToolStage):
    """Evaluation: mIoU / precision / recall of the masks of input
    ``labels`` against the dataset's ground-truth masks, with the split of
    the errors (outputs ``scores``, a JSON file, and ``errors``, a PNG of
    per-class bars; ``errors.md`` beside it holds the table).  Reads
    ground truth, so it only measures; nothing trains on its output.
    Inputs ``proposals`` and ``simple`` may reach its dataset through
    ``{placeholders}``."""
    INPUTS = dict(labels=Port('masks'),
                  proposals=placeholder_port('proposals'),
                  simple=placeholder_port('list'))
    OUTPUTS = dict(scores=Port('json'), errors=Port('png'))

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        self.require(ctx)
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
