"""Multi-label cross-entropy on soft (per-pixel probability) targets.

STC's initial network learns from saliency: a pixel is class ``c`` with
probability ``s`` and background with ``1 - s``; the proposal baseline
learns from localisation maps that spread a pixel over several classes.
Both train with the cross-entropy between the target distribution and
the network's softmax, ``-sum_c t_c log p_c``, averaged over the pixels
that have a target.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmwsss.registry import MODELS

#: how far a target may sum from 1 before it is refused
SUM_TOLERANCE = 1e-3


def check_soft_targets(target: torch.Tensor, name: str = 'soft target'
                       ) -> torch.Tensor:
    """``(..., C, H, W)`` targets: every pixel is a distribution over the
    classes (sums to 1) or ignored (all zeros).  Returns the bool mask of
    labelled pixels; anything else raises a ``ValueError`` naming
    ``name``."""
    if target.min() < 0:
        raise ValueError(f'{name}: soft targets hold negative values')
    sums = target.sum(dim=-3)
    labelled = sums > 0
    off = (sums[labelled] - 1).abs()
    if len(off) and off.max() > SUM_TOLERANCE:
        raise ValueError(
            f'{name}: soft targets must sum to 1 over the classes (or be 0 '
            f'where ignored); found sums up to {float(sums.max()):.4f} and '
            f'down to {float(sums[labelled].min()):.4f}')
    return labelled


@MODELS.register_module()
class SoftLabelCrossEntropyLoss(nn.Module):
    """Cross-entropy with a probability vector as the target of each pixel.

    Args:
        loss_weight: multiplier of the loss.
        loss_name: key of the loss in the log (must start with ``loss_``).

    ``forward(logits, target)``: ``logits`` ``(B, C, H, W)``, ``target``
    ``(B, C, H, W)`` non-negative, summing to 1 where labelled and to 0
    where ignored (targets of another size are an error: the caller
    resizes).  The mean is over labelled pixels.
    """

    def __init__(self, loss_weight: float = 1.0,
                 loss_name: str = 'loss_soft_ce') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self, logits: torch.Tensor, target: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                ignore_index: int = 255, **kwargs) -> torch.Tensor:
        if target.shape != logits.shape:
            raise ValueError(f'soft targets of shape {tuple(target.shape)} '
                             f'for logits of shape {tuple(logits.shape)}')
        labelled = check_soft_targets(target)
        per_pixel = -(target * F.log_softmax(logits, dim=1)).sum(dim=1)
        if weight is not None:
            per_pixel = per_pixel * weight
        count = labelled.sum().clamp_min(1)
        return self.loss_weight * per_pixel[labelled].sum() / count

    @property
    def loss_name(self) -> str:
        return self._loss_name
