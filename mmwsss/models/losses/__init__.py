from .cam_pixel_loss import cam_pixel_loss
from .candidate_set_loss import (candidate_set_loss, set_membership,
                                 split_candidate_sets)
from .multilabel_loss import MultiLabelSoftMarginLoss
from .soft_label_loss import SoftLabelCrossEntropyLoss, check_soft_targets

__all__ = [
    'MultiLabelSoftMarginLoss', 'SoftLabelCrossEntropyLoss',
    'check_soft_targets', 'candidate_set_loss', 'set_membership',
    'split_candidate_sets', 'cam_pixel_loss'
]
