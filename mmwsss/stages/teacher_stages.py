"""The stage that chooses how the masks' teacher meets the cue masks
(:mod:`mmwsss.pseudo_labels.teacher_rule` says why and how)."""
import json
import os
import os.path as osp
from typing import Dict

from mmengine.config import Config
from mmengine.dist import barrier, get_rank
from mmengine.logging import print_log

from mmwsss.datasets.pixel_labels import (pixel_labelled_infos,
                                          read_true_mask, subset_fold)
from mmwsss.pseudo_labels import make_psl_plus_labels
from mmwsss.pseudo_labels.teacher_rule import choose_teacher_rule
from mmwsss.registry import STAGES
from mmwsss.utils.io import atomic_write, image_stem
from .base import Port, StageContext
from .label_stages import PSLPlusLabelStage


@STAGES.register_module()
class TeacherRuleStage(PSLPlusLabelStage):
    """Output ``rule`` (a JSON file: the chosen rule and both rules'
    scores) and ``labels`` (the held-out teacher's masks of its held-out
    images).  The segmentor of input ``checkpoint`` was trained on the
    pixel-labelled subset less fold ``held_out`` of ``folds`` (dataset
    option ``masks_only=dict(folds=..., held_out=...)``, the same two
    numbers); it labels that fold's images as the teacher labels the
    tags-only ones (tag-restricted, the CRF of ``crf``), and each rule
    combines them with the cue masks of input ``under``; the masks closer
    to the fold's true masks decide the rule of the stage that reads
    ``rule`` (:class:`PredictedLabelStage`)."""
    INPUTS = dict(checkpoint=Port('checkpoint'), under=Port('masks'))
    OUTPUTS = dict(rule=Port('json'), labels=Port('masks'))

    def __init__(self, folds: int = 2, held_out: int = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        subset_fold([], folds, held_out)  # checks the two numbers
        self.folds, self.held_out = folds, held_out

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        dataset, model = self.dataset_and_model(ctx, cfg)
        indices = [i for i in range(len(dataset))
                   if dataset.get_data_info(i).get('pixel_labelled')]
        held = subset_fold(indices, self.folds, self.held_out, 'held_out')
        out_dir = osp.join(ctx.stage_dir, 'labels')
        os.makedirs(out_dir, exist_ok=True)
        infos = []
        if held:  # a subset of one image holds nothing out
            part = dataset.get_subset(held)
            self.record(ctx, make_psl_plus_labels(
                model, part, out_dir, crf=self.crf,
                use_cls_weights=self.use_cls_weights,
                absent_classes=self.absent_classes,
                crf_workers=self.crf_workers, **self.loader_settings(cfg)))
            infos = pixel_labelled_infos(part)
        barrier()  # every rank has written its shard
        if get_rank() == 0:
            self._choose(ctx, infos, out_dir,
                         len(dataset.metainfo['classes']))
        barrier()
        return dict(rule='rule.json', labels='labels')

    def _choose(self, ctx: StageContext, infos, out_dir: str,
                num_classes: int) -> None:
        choice = choose_teacher_rule(infos, read_true_mask, out_dir,
                                     ctx.inputs['under'], num_classes)
        choice['held_out_images'] = [image_stem(info) for info in infos]
        self.report['choice'] = {k: v for k, v in choice.items()
                                 if k != 'held_out_images'}
        print_log(f'stage {ctx.name!r}: on {choice["images"]} held-out '
                  f'pixel-labelled images the teacher rule '
                  f'{choice["rule"]!r} wins ({choice["scores"] or choice})',
                  logger='current')
        with atomic_write(osp.join(ctx.stage_dir, 'rule.json'),
                          'w') as handle:
            json.dump(choice, handle, indent=2)
