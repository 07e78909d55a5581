from .torchvision_backbone import TorchvisionBackbone
from .vgg import DilatedVGG16

__all__ = ['TorchvisionBackbone', 'DilatedVGG16']
