"""Any torchvision classification network as a feature backbone."""
import os.path as osp
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmwsss.registry import MODELS


def _feature_trunk(net: nn.Module, name: str) -> nn.Module:
    """The convolutional part of a torchvision classifier."""
    if hasattr(net, 'features'):  # vgg, mobilenet, efficientnet, densenet
        return net.features
    if hasattr(net, 'layer4'):  # resnet family
        return nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool,
                             net.layer1, net.layer2, net.layer3, net.layer4)
    raise ValueError(f'torchvision model {name!r}: no "features" or '
                     '"layer4" attribute to take the feature trunk from')


@MODELS.register_module()
class TorchvisionBackbone(BaseModule):
    """Wrap ``torchvision.models.<name>`` and return its last feature map.

    Args:
        name: a torchvision model builder, e.g. ``'resnet50'``, ``'vgg16'``,
            ``'mobilenet_v2'``.
        checkpoint: optional path of a torchvision state dict for that model
            (weights cannot be downloaded at run time here).
        model_kwargs: extra builder arguments, e.g.
            ``dict(replace_stride_with_dilation=[False, True, True])`` for
            an output stride of 8 with ResNets.
    """

    def __init__(self,
                 name: str,
                 checkpoint: Optional[str] = None,
                 model_kwargs: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        import torchvision
        builder = getattr(torchvision.models, name, None)
        if builder is None or not callable(builder):
            raise ValueError(f'torchvision.models has no model {name!r}')
        net = builder(weights=None, **(model_kwargs or {}))
        if checkpoint is not None:
            if not osp.isfile(checkpoint):
                raise FileNotFoundError(
                    f'pretrained weights file {checkpoint} does not exist '
                    f'(TorchvisionBackbone {name})')
            state = torch.load(checkpoint, map_location='cpu')
            net.load_state_dict(state.get('state_dict', state), strict=False)
        self.trunk = _feature_trunk(net, name)

    def forward(self, x) -> Tuple:
        return (self.trunk(x), )
