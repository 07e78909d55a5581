"""HCP's head: proposal features by RoIAlign, a shared linear classifier,
image scores by max-pooling over the proposals (Hypotheses-CNN-Pooling,
Wei et al., TPAMI 2016)."""
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmwsss.registry import MODELS
from mmwsss.utils.labels import labels_to_multi_hot


@MODELS.register_module()
class HCPHead(BaseModule):
    """Pool each proposal from the feature map (torchvision's RoIAlign,
    which needs no compiled mmcv ops), average it to one feature, classify
    it; an image's class score is the max over its proposals: the class is
    present if some hypothesis shows it, which is what makes the
    per-proposal scores localise.

    Args:
        in_channels: channels of the feature map.
        num_classes: classes *including background*; scores are for the
            ``num_classes - 1`` foreground classes.
        roi_size: RoIAlign output size (averaged to one vector).
        dropout_ratio: dropout on the proposal features.
        loss_cls: a multi-label loss config (on the image scores).
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 roi_size: int = 7,
                 dropout_ratio: float = 0.1,
                 loss_cls: dict = dict(type='MultiLabelSoftMarginLoss'),
                 init_cfg=dict(type='Normal', std=0.01, layer='Linear')):
        super().__init__(init_cfg=init_cfg)
        self.num_classes, self.roi_size = num_classes, roi_size
        self.dropout = nn.Dropout(dropout_ratio)
        self.fc = nn.Linear(in_channels, num_classes - 1)
        self.loss_cls = MODELS.build(loss_cls)

    def forward(self, feats: torch.Tensor, boxes: Sequence[torch.Tensor],
                input_width: int
                ) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """Per image: ``(N_i, num_classes - 1)`` proposal logits and the
        ``(N_i, C)`` features they come from.

        Args:
            feats: ``(B, C, h, w)`` feature map.
            boxes: per image ``(N_i, 4)`` boxes in input pixels.
            input_width: width of the network input (for the stride).
        """
        from torchvision.ops import roi_align
        pooled = roi_align(feats, [b.to(feats.dtype) for b in boxes],
                           output_size=self.roi_size,
                           spatial_scale=feats.shape[-1] / input_width,
                           sampling_ratio=2, aligned=True)
        features = pooled.mean(dim=(2, 3))
        logits = self.fc(self.dropout(features))
        sizes = [len(b) for b in boxes]
        return list(logits.split(sizes)), list(features.split(sizes))

    @staticmethod
    def pool(logits: Sequence[torch.Tensor]) -> torch.Tensor:
        """``(B, num_classes - 1)`` image logits: max over proposals."""
        return torch.stack([lg.max(dim=0).values for lg in logits])

    def loss(self, logits: Sequence[torch.Tensor],
             labels: Sequence[Sequence[int]]) -> Dict[str, torch.Tensor]:
        image_logits = self.pool(logits)
        target = labels_to_multi_hot(labels, self.num_classes,
                                     image_logits.device)
        return {self.loss_cls.loss_name: self.loss_cls(image_logits, target)}
