from .cam_head import CAMHead
from .largefov_head import LargeFOVHead
from .psl_head import (PSLHead, allowed_class_mask, online_pseudo_masks,
                       suppress_absent_classes)

__all__ = [
    'CAMHead', 'LargeFOVHead', 'PSLHead', 'allowed_class_mask',
    'online_pseudo_masks', 'suppress_absent_classes'
]
