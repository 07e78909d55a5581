from .cam_head import CAMHead
from .hcp_head import HCPHead
from .largefov_head import LargeFOVHead
from .psl_head import (PSLHead, allowed_class_mask, online_pseudo_masks,
                       reweight_by_class_probs, suppress_absent_classes)
from .soft_label_head import SoftLabelHead, one_hot_targets

__all__ = [
    'CAMHead', 'HCPHead', 'LargeFOVHead', 'PSLHead', 'SoftLabelHead',
    'allowed_class_mask', 'one_hot_targets', 'online_pseudo_masks',
    'reweight_by_class_probs', 'suppress_absent_classes'
]
