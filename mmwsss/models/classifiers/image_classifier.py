"""The base of the image-label classifiers (CAM, HCP): MMSeg segmentors so
that they train, validate and test through MMSeg's runners, configs and
data preprocessors, whose test output is image-level class probabilities
(``pred_cls_scores``, scored by :class:`ImageLabelMetric`)."""
from typing import Optional

import torch
from mmseg.models.segmentors.base import BaseSegmentor
from mmseg.utils import SampleList

from mmwsss.registry import MODELS


class ImageLabelClassifier(BaseSegmentor):
    """A backbone (+ optional neck) and a classification head.

    Args:
        backbone: any MMSeg / mmpretrain / torchvision backbone config.
        head: the head config (``num_classes`` incl. background).
        neck: optional neck.
        in_index: which backbone output feeds the head.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 in_index: int = -1,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.head = MODELS.build(head)
        self.in_index = in_index
        self.train_cfg = train_cfg or {}
        self.test_cfg = test_cfg or {}

    @property
    def num_classes(self) -> int:
        """Classes including background."""
        return self.head.num_classes

    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        feats = self.backbone(inputs)
        if self.neck is not None:
            feats = self.neck(feats)
        if isinstance(feats, (list, tuple)):
            feats = feats[self.in_index]
        return feats


def samples_for(inputs: torch.Tensor,
                data_samples: Optional[SampleList]) -> SampleList:
    """``data_samples``, or blank ones when a caller (MMSeg's inferencer)
    gives none, to carry the predictions."""
    if data_samples is not None:
        return data_samples
    from mmseg.structures import SegDataSample
    return [SegDataSample() for _ in range(len(inputs))]


def attach_class_scores(data_samples: SampleList,
                        scores: torch.Tensor) -> SampleList:
    """Set every sample's ``pred_cls_scores`` (foreground probabilities)."""
    for sample, score in zip(data_samples, scores):
        sample.set_data({'pred_cls_scores': score.detach()})
    return data_samples
