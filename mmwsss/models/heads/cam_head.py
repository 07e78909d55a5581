"""Classification head whose classifier is a 1x1 convolution (CAM head).

Because the classifier is a 1x1 convolution applied *before* global average
pooling, the class activation map of class ``c`` is exactly the map whose
spatial mean is the score of ``c`` (Zhou et al.'s CAM, without re-projecting
FC weights).  Erasing, saliency fusion and PSL all consume these maps.
"""
from typing import Dict, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmwsss.registry import MODELS
from mmwsss.utils.labels import labels_to_multi_hot
from .wrapped_head import OPEN_NUM_CLASSES


@MODELS.register_module()
class CAMHead(BaseModule):
    """Optional extra 3x3 convs, dropout, then a 1x1 conv classifier.

    Args:
        in_channels: channels of the backbone feature map.
        num_classes: classes *including background*; the head predicts the
            ``num_classes - 1`` foreground classes.
        num_convs: extra 3x3 conv + ReLU layers before the classifier (the AE
            paper adds conv layers with 1024 channels on top of VGG16).
        conv_channels: width of those layers.
        dropout_ratio: dropout before the classifier.
        loss_cls: a multi-label loss config.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 num_convs: int = 0,
                 conv_channels: int = 1024,
                 dropout_ratio: float = 0.0,
                 loss_cls: dict = dict(type='MultiLabelSoftMarginLoss'),
                 init_cfg=dict(type='Normal', std=0.01, layer='Conv2d')):
        super().__init__(init_cfg=init_cfg)
        if num_classes is None:
            raise ValueError(OPEN_NUM_CLASSES)
        if num_classes < 2:
            raise ValueError('num_classes counts background and at least one '
                             f'object class, got {num_classes}')
        self.num_classes = num_classes
        layers = []
        channels = in_channels
        for _ in range(num_convs):
            layers += [
                nn.Conv2d(channels, conv_channels, 3, padding=1),
                nn.ReLU(inplace=True)
            ]
            channels = conv_channels
        self.convs = nn.Sequential(*layers)
        self.dropout = nn.Dropout2d(dropout_ratio) if dropout_ratio else \
            nn.Identity()
        self.classifier = nn.Conv2d(channels, num_classes - 1, 1, bias=False)
        self.loss_cls = MODELS.build(loss_cls)

    def forward(self, feat: torch.Tensor) -> torch.Tensor:
        """Raw CAMs ``(B, num_classes - 1, h, w)`` (pre-ReLU)."""
        return self.classifier(self.dropout(self.convs(feat)))

    @staticmethod
    def pool(cam_logits: torch.Tensor) -> torch.Tensor:
        """Image scores: the spatial mean of the CAM logits."""
        return cam_logits.mean(dim=(2, 3))

    def loss(self, cam_logits: torch.Tensor,
             batch_labels: Sequence[Sequence[int]]) -> Dict[str, torch.Tensor]:
        target = labels_to_multi_hot(batch_labels, self.num_classes,
                                     cam_logits.device)
        scores = self.pool(cam_logits)
        return {self.loss_cls.loss_name: self.loss_cls(scores, target)}
