"""PSL: a segmentation head with a multi-label classification branch.

Prohibitive Segmentation Learning (Wei et al., AE-PSL, CVPR 2017) trains a
segmentation network on noisy saliency-guided pseudo masks and adds an image
classification branch next to it.  The branch is reliable at image level, so
its class probabilities re-weight the segmentation probabilities: a pixel
can only switch to a class the branch believes is present.  The argmax of
the re-weighted scores (background weight fixed at 1, classes restricted to
background and the image's labels) is a second, *online* mask that is used
as extra supervision and improves as training goes on.  At test time the
same probabilities suppress classes the branch deems absent.

:class:`PSLHead` wraps any MMSeg decode head (ASPP, DeepLabV3+, UPer,
SegFormer, LargeFOV...), so the method mixes with every MMSeg segmentor.
"""
import math
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from mmseg.utils import ConfigType, SampleList

from mmwsss.models.losses.candidate_set_loss import (candidate_set_loss,
                                                     split_candidate_sets)
from mmwsss.registry import MODELS
from mmwsss.utils.io import IGNORE_INDEX
from mmwsss.utils.labels import labels_to_multi_hot, sample_labels
from .wrapped_head import WrappedDecodeHead

# What suppressed logits become: far below any real logit, finite so that
# bilinear resizing and fp16 stay NaN-free.
SUPPRESSED_LOGIT = -1e4


def allowed_class_mask(batch_labels: Sequence[Sequence[int]],
                       num_classes: int,
                       device=None) -> torch.Tensor:
    """``(B, C)`` bool: background and each image's labelled classes."""
    allowed = torch.zeros(len(batch_labels), num_classes, dtype=torch.bool,
                          device=device)
    allowed[:, 0] = True
    allowed[:, 1:] = labels_to_multi_hot(batch_labels, num_classes,
                                         device).bool()
    return allowed


def reweight_by_class_probs(seg_probs: torch.Tensor,
                            cls_probs: torch.Tensor) -> torch.Tensor:
    """PSL's re-weighting, ``p(c|x) * w_c`` with ``w_0 = 1`` (background)
    and ``w_c`` the branch's probability of foreground class ``c``.

    Args:
        seg_probs: ``(B, C, H, W)`` segmentation probabilities.
        cls_probs: ``(B, C - 1)`` foreground class probabilities.
    """
    weights = torch.cat([cls_probs.new_ones(cls_probs.shape[0], 1),
                         cls_probs], dim=1)
    return seg_probs * weights[:, :, None, None].to(seg_probs.dtype)


def online_pseudo_masks(seg_logits: torch.Tensor,
                        cls_probs: torch.Tensor,
                        allowed: torch.Tensor) -> torch.Tensor:
    """PSL's online masks: the argmax of the re-weighted probabilities
    (:func:`reweight_by_class_probs`) over the allowed classes.

    Args:
        seg_logits: ``(B, C, H, W)`` segmentation logits.
        cls_probs: ``(B, C - 1)`` foreground class probabilities.
        allowed: ``(B, C)`` bool, the classes a pixel may take.

    Returns:
        ``(B, H, W)`` long class map.
    """
    scores = reweight_by_class_probs(seg_logits.softmax(dim=1), cls_probs)
    scores = scores.masked_fill(~allowed[:, :, None, None], -1.0)
    return scores.argmax(dim=1)


def reweighted_log_probs(seg_logits: torch.Tensor,
                         cls_probs: torch.Tensor) -> torch.Tensor:
    """PSL's correction at test time: the segmentation probabilities
    re-weighted by the branch (:func:`reweight_by_class_probs`, as for
    the online masks), renormalised, as log-probabilities (what the rest of
    MMSeg's prediction path takes for logits)."""
    probs = reweight_by_class_probs(seg_logits.softmax(dim=1), cls_probs)
    probs = probs / probs.sum(dim=1, keepdim=True).clamp_min(1e-12)
    return probs.clamp_min(1e-12).log()


def suppress_absent_classes(seg_logits: torch.Tensor,
                            cls_probs: torch.Tensor,
                            threshold: float) -> torch.Tensor:
    """Push the logits of foreground classes whose probability is below
    ``threshold`` to :data:`SUPPRESSED_LOGIT` (background is never
    suppressed, so every pixel keeps a class)."""
    absent = torch.cat([
        torch.zeros_like(cls_probs[:, :1], dtype=torch.bool),
        cls_probs < threshold
    ], dim=1)
    return seg_logits.masked_fill(absent[:, :, None, None], SUPPRESSED_LOGIT)


@MODELS.register_module()
class PSLHead(WrappedDecodeHead):
    """Any MMSeg decode head plus PSL's classification branch.

    Training losses (the EncoderDecoder prefixes them with ``decode.``):
    the wrapped head's own loss on the pseudo masks of the dataset
    (``loss_ce`` ...), the same loss on the online masks
    (``loss_online_*``, times ``online_loss_weight``) and the multi-label
    loss of the branch (``loss_cls``).

    Test time: with ``test_cfg.cls_suppression`` (default True) the branch
    corrects the prediction.  ``test_cfg.cls_correction='reweight'`` (the
    default) re-weights the class probabilities by the branch's, as for
    the online masks: a class the branch doubts needs a surer pixel;
    ``'threshold'`` removes the classes whose branch probability is below
    ``test_cfg.cls_threshold`` (default ``cls_threshold``).  Removal is
    all or nothing: a branch that is unsure of a present class wipes it
    from the whole image (on the synthetic demo, one of three seeds lost
    15 val mIoU points to it, against 6 with re-weighting).

    Args:
        seg_head: config of the wrapped MMSeg decode head.
        cls_in_channels: channels of the feature the branch classifies.
        cls_in_index: which backbone output the branch reads.
        cls_dropout: dropout before the branch's classifier.
        loss_cls: multi-label loss of the branch.
        online_loss_weight: weight of the online-mask loss; 0 disables the
            online masks (the "without PSL" ablation keeps the branch).
        online_start: fraction of the training run (iterations, read from
            MMEngine's message hub) before the online masks are used.  At
            the start the branch gives every class a probability near 0.5
            against background's fixed 1, so online masks are background
            almost everywhere and, trained on, make the network predict
            background everywhere; they become useful once both branches
            have learned from the saliency-guided masks.
        cls_threshold: default threshold of the ``'threshold'`` correction.
        online_at_logits: make the online masks and their loss at the
            logits' resolution (cheap) rather than the pseudo masks'.
    """

    def __init__(self,
                 seg_head: ConfigType,
                 cls_in_channels: int,
                 cls_in_index: int = -1,
                 cls_dropout: float = 0.5,
                 loss_cls: ConfigType = dict(
                     type='MultiLabelSoftMarginLoss', loss_weight=1.0),
                 online_loss_weight: float = 1.0,
                 online_start: float = 0.0,
                 cls_threshold: float = 0.5,
                 online_at_logits: bool = True,
                 init_cfg=None) -> None:
        super().__init__(seg_head, init_cfg=init_cfg)
        self.cls_in_index = cls_in_index
        self.cls_dropout = nn.Dropout(cls_dropout)
        self.cls_fc = nn.Linear(cls_in_channels, self.num_classes - 1)
        nn.init.normal_(self.cls_fc.weight, std=0.01)
        nn.init.zeros_(self.cls_fc.bias)
        self.loss_cls = MODELS.build(loss_cls)
        if not 0.0 <= online_start <= 1.0:
            raise ValueError(f'online_start is a fraction of training in '
                             f'[0, 1], got {online_start}')
        self.online_loss_weight = online_loss_weight
        self.online_start = online_start
        self.cls_threshold = cls_threshold
        self.online_at_logits = online_at_logits

    # ------------------------------------------------------------- forward
    def forward_cls(self, inputs: List[torch.Tensor]) -> torch.Tensor:
        """``(B, num_classes - 1)`` foreground logits of the branch."""
        feat = inputs[self.cls_in_index]
        pooled = F.adaptive_avg_pool2d(feat, 1).flatten(1)
        return self.cls_fc(self.cls_dropout(pooled))

    # ---------------------------------------------------------------- train
    def loss(self, inputs: List[torch.Tensor], batch_data_samples: SampleList,
             train_cfg: ConfigType) -> Dict[str, torch.Tensor]:
        seg_logits = self.forward(inputs)
        cls_logits = self.forward_cls(inputs)
        labels = sample_labels(batch_data_samples)
        losses = self._mask_losses(seg_logits, batch_data_samples)
        target = labels_to_multi_hot(labels, self.num_classes,
                                     cls_logits.device)
        losses[self.loss_cls.loss_name] = self.loss_cls(cls_logits, target)
        if self.online_loss_weight > 0 and self._online_started():
            online = self._online_samples(seg_logits.detach(),
                                          cls_logits.detach().sigmoid(),
                                          batch_data_samples, labels)
            online_losses = self.seg_head.loss_by_feat(seg_logits, online)
            for name, value in online_losses.items():
                if name.startswith('loss'):
                    key = 'loss_online' + name[len('loss'):]
                    losses[key] = value * self.online_loss_weight
        return losses

    def _mask_losses(self, seg_logits: torch.Tensor,
                     samples: SampleList) -> Dict[str, torch.Tensor]:
        """The wrapped head's loss on the masks, with the pixels of a
        tags-only image's candidate sets trained on their set instead
        (``loss_set``, :mod:`mmwsss.models.losses.candidate_set_loss`)."""
        size = samples[0].gt_sem_seg.data.shape[-2:]
        plain, members = split_candidate_sets(samples, self.num_classes,
                                              size)
        losses = dict(self.seg_head.loss_by_feat(seg_logits, plain))
        if members is not None:
            labelled = sum(int((s.gt_sem_seg.data != IGNORE_INDEX).sum())
                           for s in plain)
            losses['loss_set'] = candidate_set_loss(
                seg_logits, members.to(seg_logits.device), labelled,
                self.align_corners)
        return losses

    def _online_started(self) -> bool:
        """Whether training has progressed past ``online_start`` (always
        true outside an MMEngine training loop)."""
        if self.online_start <= 0:
            return True
        hub = MessageHub.get_current_instance()
        max_iters = hub.get_info('max_iters')
        if not max_iters:
            return True
        return hub.get_info('iter', 0) >= self.online_start * max_iters

    def _online_samples(self, seg_logits: torch.Tensor,
                        cls_probs: torch.Tensor,
                        batch_data_samples: SampleList,
                        labels: Sequence[Sequence[int]]) -> SampleList:
        """Data samples whose ``gt_sem_seg`` is the online mask; padding
        stays ignored, and so does every pixel of an image trained on its
        true mask (a dataset's ``pixel_labels`` subset).

        With ``online_at_logits`` the masks are made at the logits'
        resolution, where the wrapped head's loss then needs no upsampling
        (the online loss costs a few per cent of the step instead of a
        second full-size softmax, argmax and cross-entropy); otherwise at
        the pseudo masks' resolution.
        """
        padded = batch_data_samples[0].gt_sem_seg.data.shape[-2:]
        logits = seg_logits if self.online_at_logits else F.interpolate(
            seg_logits, size=padded, mode='bilinear',
            align_corners=self.align_corners)
        allowed = allowed_class_mask(labels, self.num_classes,
                                     logits.device)
        masks = online_pseudo_masks(logits, cls_probs, allowed)
        rows, cols = masks.shape[-2:]
        samples = []
        for mask, sample in zip(masks, batch_data_samples):
            height, width = sample.metainfo.get('img_shape', padded)[:2]
            mask = mask.clone()
            # cells whose centre lies in the padding
            mask[math.ceil(height * rows / padded[0] - 0.5):, :] = \
                IGNORE_INDEX
            mask[:, math.ceil(width * cols / padded[1] - 0.5):] = \
                IGNORE_INDEX
            if sample.metainfo.get('pixel_labelled'):
                mask[:] = IGNORE_INDEX  # its true mask needs no guess
            online = SegDataSample(metainfo=sample.metainfo)
            online.gt_sem_seg = PixelData(data=mask[None])
            samples.append(online)
        return samples

    # ----------------------------------------------------------------- test
    def predict(self, inputs: List[torch.Tensor], batch_img_metas: List[dict],
                test_cfg: Optional[ConfigType]) -> torch.Tensor:
        test_cfg = test_cfg or {}
        seg_logits = self.forward(inputs)
        if test_cfg.get('cls_suppression', True):
            cls_probs = self.forward_cls(inputs).sigmoid()
            mode = test_cfg.get('cls_correction', 'reweight')
            if mode == 'reweight':
                seg_logits = reweighted_log_probs(seg_logits, cls_probs)
            elif mode == 'threshold':
                seg_logits = suppress_absent_classes(
                    seg_logits, cls_probs,
                    test_cfg.get('cls_threshold', self.cls_threshold))
            else:
                raise ValueError(f'test_cfg.cls_correction must be reweight '
                                 f'or threshold, got {mode!r}')
        return self.seg_head.predict_by_feat(seg_logits, batch_img_metas)

    def predict_with_cls(self, inputs: List[torch.Tensor],
                         batch_img_metas: List[dict]):
        """Resized segmentation logits and the branch's class
        probabilities, unsuppressed (PSL++ re-weights them itself)."""
        seg_logits = self.seg_head.predict_by_feat(self.forward(inputs),
                                                   batch_img_metas)
        return seg_logits, self.forward_cls(inputs).sigmoid()
