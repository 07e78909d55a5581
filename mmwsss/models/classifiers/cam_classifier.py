"""The CAM classifier: any backbone + a CAM head, trained on image labels.

It is an MMSeg segmentor (``BaseSegmentor``) so that it trains, validates and
tests through MMSeg's runners, data preprocessors and configs like any other
model.  Validation/test produce image-level class probabilities
(``pred_cls_scores``), scored by :class:`ImageLabelMetric`; CAMs come from
:meth:`CAMClassifier.predict_cams`.
"""
from typing import List, Sequence

import torch
import torch.nn.functional as F
from mmseg.utils import SampleList

from mmwsss.models.losses.cam_pixel_loss import cam_pixel_loss
from mmwsss.registry import MODELS
from mmwsss.utils.labels import sample_labels
from .cam import DEFAULT_CAM_SCALES, batch_cams
from .image_classifier import (ImageLabelClassifier, attach_class_scores,
                               samples_for)


@MODELS.register_module()
class CAMClassifier(ImageLabelClassifier):
    """Multi-label classifier whose score maps are CAMs.

    Args:
        backbone: any MMSeg backbone, ``mmpretrain.*`` backbone, or
            :class:`TorchvisionBackbone` / :class:`DilatedVGG16`.
        head: a :class:`CAMHead` config (``num_classes`` incl. background).
        neck: optional neck.
        in_index: which backbone output feeds the head.
        train_cfg: ``pixel_loss_weight`` (default 0, off): with a
            pixel-labelled subset, the weight of
            :func:`~mmwsss.models.losses.cam_pixel_loss` on its images' CAMs
            (the training pipeline then loads their masks,
            :class:`~mmwsss.datasets.transforms.LoadTrueMaskIfLabelled`).
        test_cfg: ``cam_scales`` (default 1.0, 0.5, 1.5, 2.0) and
            ``cam_flip`` (default True) for :meth:`predict_cams`.
    """

    # ----------------------------------------------------------- forward
    def cam_logits(self, inputs: torch.Tensor) -> torch.Tensor:
        """Raw CAMs ``(B, num_classes - 1, h, w)``."""
        return self.head(self.extract_feat(inputs))

    def encode_decode(self, inputs: torch.Tensor,
                      batch_data_samples: SampleList) -> torch.Tensor:
        """CAM logits upsampled to the input size."""
        return F.interpolate(
            self.cam_logits(inputs), size=inputs.shape[2:], mode='bilinear',
            align_corners=False)

    def _forward(self, inputs: torch.Tensor, data_samples=None):
        return self.cam_logits(inputs)

    # ------------------------------------------------------------- train
    def loss(self, inputs: torch.Tensor, data_samples: SampleList) -> dict:
        logits = self.cam_logits(inputs)
        losses = self.head.loss(logits, sample_labels(data_samples))
        weight = self.train_cfg.get('pixel_loss_weight', 0.0)
        if weight:
            losses['loss_cam_pixel'] = weight * cam_pixel_loss(
                logits, true_masks(data_samples))
        return losses

    # -------------------------------------------------------------- test
    def predict(self, inputs: torch.Tensor,
                data_samples: SampleList = None) -> SampleList:
        """Attach ``pred_cls_scores`` (sigmoid probabilities of the
        foreground classes) to every data sample."""
        scores = torch.sigmoid(self.head.pool(self.cam_logits(inputs)))
        return attach_class_scores(samples_for(inputs, data_samples), scores)

    @torch.no_grad()
    def predict_cams(self,
                     inputs: torch.Tensor,
                     data_samples: SampleList,
                     scales: Sequence[float] = None,
                     flip: bool = None,
                     full_size: bool = True) -> List[torch.Tensor]:
        """Multi-scale (+flip) CAMs of each image's labelled classes,
        normalised to [0, 1] per class, at each image's original size (or,
        ``full_size=False``, on the coarse grid of its valid area, which is
        all mining needs)."""
        scales = scales or self.test_cfg.get('cam_scales', DEFAULT_CAM_SCALES)
        flip = self.test_cfg.get('cam_flip', True) if flip is None else flip
        valid = [tuple(s.metainfo.get('img_shape', inputs.shape[2:]))[:2]
                 for s in data_samples]
        out = [tuple(s.metainfo.get('ori_shape', v))[:2]
               for s, v in zip(data_samples, valid)] if full_size else False
        return batch_cams(self.cam_logits, inputs, sample_labels(data_samples),
                          valid, out, scales, flip)


def true_masks(data_samples: SampleList) -> torch.Tensor:
    """``(B, H, W)`` masks a pixel loss needs from every sample (all 255
    for tags-only images); a sample without one means the training
    pipeline lacks ``LoadTrueMaskIfLabelled``."""
    missing = [s.metainfo.get('img_path') for s in data_samples
               if 'gt_sem_seg' not in s]
    if missing:
        raise KeyError(
            f'{missing[0]}: pixel_loss_weight is set but the sample has no '
            "mask; add dict(type='LoadTrueMaskIfLabelled') after image "
            'loading in the training pipeline')
    return torch.stack([s.gt_sem_seg.data[0] for s in data_samples])
