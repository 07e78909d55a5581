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
        return self.head.loss(self.cam_logits(inputs),
                              sample_labels(data_samples))

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
