"""Any MMSeg decode head trained on soft (probability) targets.

MMSeg heads stack integer masks and report an accuracy against them, so a
per-pixel probability vector cannot travel through ``gt_sem_seg``.  This
wrapper reads the soft targets from ``gt_soft_seg`` (``(C, H, W)``, made
by :class:`mmwsss.datasets.transforms.SaliencySoftTargets` or a soft
localisation map) and falls back to the one-hot of ``gt_sem_seg`` (255
ignored), so one network trains on soft targets in one stage and on hard
pseudo masks in the next, with the same weights (STC's I-, E- and
P-DCNN).  The wrapped head's ``loss_decode`` must take soft targets
(:class:`SoftLabelCrossEntropyLoss`).
"""
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmseg.utils import ConfigType, SampleList

from mmwsss.models.losses.candidate_set_loss import (candidate_set_loss,
                                                     split_candidate_sets)
from mmwsss.models.losses.soft_label_loss import check_soft_targets
from mmwsss.registry import MODELS
from mmwsss.utils.io import IGNORE_INDEX
from .wrapped_head import WrappedDecodeHead


def one_hot_targets(mask: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``(H, W)`` class map -> ``(C, H, W)`` targets, 255 all zeros."""
    labelled = mask != IGNORE_INDEX
    target = F.one_hot(torch.where(labelled, mask, 0).long(), num_classes)
    return (target.permute(2, 0, 1) * labelled).float()


@MODELS.register_module()
class SoftLabelHead(WrappedDecodeHead):
    """An MMSeg decode head whose training targets are probabilities.

    Args:
        seg_head: the wrapped head (its ``loss_decode`` takes soft targets).
    """

    def predict(self, inputs: List[torch.Tensor], batch_img_metas: List[dict],
                test_cfg: Optional[ConfigType]) -> torch.Tensor:
        return self.seg_head.predict(inputs, batch_img_metas, test_cfg)

    def targets(self, samples: SampleList, size) -> torch.Tensor:
        """``(B, C, H, W)`` targets at the padded batch ``size``, checked;
        padding is ignored."""
        batch = []
        for sample in samples:
            if 'gt_soft_seg' in sample:
                target = sample.gt_soft_seg.data.float()
            else:
                target = one_hot_targets(sample.gt_sem_seg.data[0],
                                         self.num_classes)
            check_soft_targets(target, sample.metainfo.get('img_path',
                                                           'soft target'))
            if target.shape[0] != self.num_classes:
                raise ValueError(
                    f'{sample.metainfo.get("img_path")}: soft target with '
                    f'{target.shape[0]} classes for a {self.num_classes}-'
                    'class head')
            height, width = target.shape[-2:]
            batch.append(F.pad(target, (0, size[1] - width,
                                        0, size[0] - height)))
        return torch.stack(batch)

    def loss(self, inputs: List[torch.Tensor], batch_data_samples: SampleList,
             train_cfg: ConfigType) -> Dict[str, torch.Tensor]:
        logits = self.forward(inputs)
        sizes = [s.gt_soft_seg.data.shape[-2:] if 'gt_soft_seg' in s else
                 s.gt_sem_seg.data.shape[-2:] for s in batch_data_samples]
        size = (max(h for h, _ in sizes), max(w for _, w in sizes))
        samples, members = split_candidate_sets(batch_data_samples,
                                                self.num_classes, size)
        target = self.targets(samples, size).to(logits.device)
        raw_logits = logits
        logits = F.interpolate(logits, size=size, mode='bilinear',
                               align_corners=self.align_corners)
        losses = {}
        losses_decode = self.seg_head.loss_decode
        if not isinstance(losses_decode, torch.nn.ModuleList):
            losses_decode = [losses_decode]
        for loss_decode in losses_decode:
            losses[loss_decode.loss_name] = loss_decode(logits, target)
        labelled = target.sum(dim=1) > 0
        if members is not None:  # candidate_set_loss's module says why
            losses['loss_set'] = candidate_set_loss(
                raw_logits, members.to(logits.device), int(labelled.sum()),
                self.align_corners)
        hits = logits.argmax(dim=1) == target.argmax(dim=1)
        losses['acc_seg'] = 100 * hits[labelled].float().mean() \
            if labelled.any() else logits.new_zeros(())
        return losses
