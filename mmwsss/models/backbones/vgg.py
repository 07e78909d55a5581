"""VGG16 with DeepLab-LargeFOV style dilation, torchvision-compatible keys.

The AE paper's classifier and DeepLab-LargeFOV both start from ImageNet
VGG16 and drop the stride of the last pooling layers so that CAMs and score
maps keep a stride of 8.  The convolutions keep torchvision's ``features.N``
names, so a torchvision ``vgg16`` state dict (``torchvision://vgg16`` or a
local file) loads through an ordinary ``init_cfg``.
"""
from typing import Tuple

import torch.nn as nn
from mmengine.model import BaseModule

from mmwsss.registry import MODELS

# torchvision's VGG16 configuration: conv widths, 'M' = max pooling.
_VGG16 = (64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M',
          512, 512, 512, 'M')


@MODELS.register_module()
class DilatedVGG16(BaseModule):
    """VGG16 feature extractor with output stride 8, 16 or 32.

    Args:
        output_stride: 32 is the plain ImageNet trunk (all five poolings);
            16 ends at conv5 (pool4's resolution); 8 is DeepLab-LargeFOV:
            pool4 (and pool5) become 3x3 stride-1 poolings and conv5 is
            dilated by 2.
        with_pool5: for strides 8/16, keep pool5 as a 3x3 stride-1 pooling
            (LargeFOV keeps it; a CAM classifier usually drops it).
        frozen_stages: number of conv blocks (1-5) whose weights are frozen.
        init_cfg: e.g. ``dict(type='Pretrained', checkpoint='torchvision://
            vgg16')`` or a local path to torchvision's file.
    """

    def __init__(self,
                 output_stride: int = 8,
                 with_pool5: bool = False,
                 frozen_stages: int = 0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if output_stride not in (8, 16, 32):
            raise ValueError(f'output_stride must be 8, 16 or 32, got '
                             f'{output_stride}')
        self.output_stride = output_stride
        self.frozen_stages = frozen_stages
        self.features = self._make_layers(output_stride, with_pool5)
        self.out_channels = 512
        self._freeze()

    @staticmethod
    def _make_layers(output_stride: int, with_pool5: bool) -> nn.Sequential:
        layers = []
        in_ch, pool_index, dilation = 3, 0, 1
        for spec in _VGG16:
            if spec == 'M':
                pool_index += 1
                stride_kept = 2 ** pool_index <= output_stride
                if pool_index == 5 and output_stride < 32 and not with_pool5:
                    layers.append(nn.Identity())
                elif stride_kept:
                    layers.append(nn.MaxPool2d(2, 2, ceil_mode=True))
                else:
                    layers.append(nn.MaxPool2d(3, 1, padding=1))
                if pool_index == 4 and output_stride == 8:
                    dilation = 2  # conv5 sees pool4 without its stride
                continue
            layers.append(
                nn.Conv2d(in_ch, spec, 3, padding=dilation, dilation=dilation))
            layers.append(nn.ReLU(inplace=True))
            in_ch = spec
        return nn.Sequential(*layers)

    def _freeze(self) -> None:
        block = 1
        for layer in self.features:
            if block > self.frozen_stages:
                break
            for param in layer.parameters():
                param.requires_grad = False
            if isinstance(layer, (nn.MaxPool2d, nn.Identity)):
                block += 1

    def forward(self, x) -> Tuple:
        return (self.features(x), )
