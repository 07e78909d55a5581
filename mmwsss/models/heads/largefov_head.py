"""DeepLab-LargeFOV's classifier (fc6-fc8), the segmentation head of the
AE-PSL paper's network (DeepLab-CRF-LargeFOV on a stride-8 VGG16).

fc6 is a 3x3 convolution dilated by 12, which gives the large field of view
the model is named after, fc7 a 1x1 convolution, both 1024 wide with ReLU
and dropout; fc8 (MMSeg's ``conv_seg``) predicts the classes.
"""
from typing import List

import torch
import torch.nn as nn
from mmseg.models.decode_heads.decode_head import BaseDecodeHead

from mmwsss.registry import MODELS


@MODELS.register_module()
class LargeFOVHead(BaseDecodeHead):
    """fc6 (dilated 3x3) -> fc7 (1x1) -> dropout -> conv_seg.

    Args:
        dilation: fc6's dilation (12 in DeepLab-LargeFOV).
        **kwargs: :class:`BaseDecodeHead` arguments; ``channels`` is the
            width of fc6/fc7 (1024 in the paper), ``dropout_ratio`` applies
            after fc6 and fc7 (0.5 in the paper).
    """

    def __init__(self, dilation: int = 12, **kwargs) -> None:
        super().__init__(**kwargs)
        self.fc6 = nn.Conv2d(self.in_channels, self.channels, 3,
                             padding=dilation, dilation=dilation)
        self.fc7 = nn.Conv2d(self.channels, self.channels, 1)
        self.relu = nn.ReLU(inplace=True)
        self.fc6_dropout = nn.Dropout2d(self.dropout_ratio) \
            if self.dropout_ratio > 0 else nn.Identity()

    def forward(self, inputs: List[torch.Tensor]) -> torch.Tensor:
        x = self._transform_inputs(inputs)
        x = self.fc6_dropout(self.relu(self.fc6(x)))
        x = self.relu(self.fc7(x))
        return self.cls_seg(x)  # dropout (fc7's) then conv_seg (fc8)
