from .multilabel_loss import MultiLabelSoftMarginLoss
from .soft_label_loss import SoftLabelCrossEntropyLoss, check_soft_targets

__all__ = [
    'MultiLabelSoftMarginLoss', 'SoftLabelCrossEntropyLoss',
    'check_soft_targets'
]
