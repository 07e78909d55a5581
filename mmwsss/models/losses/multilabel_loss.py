"""Multi-label classification losses on image-level labels."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmwsss.registry import MODELS


@MODELS.register_module()
class MultiLabelSoftMarginLoss(nn.Module):
    """Mean over classes of the per-class logistic loss (the loss used by
    the CAM / AE / PSL classifiers); equal to BCE-with-logits averaged over
    classes and images.

    Args:
        loss_weight: multiplier of the loss.
        loss_name: key of the loss in the log (must start with ``loss_``).
    """

    def __init__(self, loss_weight: float = 1.0,
                 loss_name: str = 'loss_cls') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self, logits: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        return self.loss_weight * F.multilabel_soft_margin_loss(logits, target)

    @property
    def loss_name(self) -> str:
        return self._loss_name
