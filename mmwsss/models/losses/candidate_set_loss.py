"""Training on masks whose class is known only up to a set.

When a dataset has a pixel-labelled subset, classes the tags cannot tell
apart (MSRC-17's face, never tagged without body) are split in the
tag-made masks by chance, and those masks outnumber the true ones.
:meth:`~mmwsss.datasets.ImageLabelSegDataset` therefore gives every
tags-only image the class sets it shows (``candidate_sets`` in the data
sample's metainfo, e.g. ``[[5, 15]]``), and a pixel its mask gives to any
class of a set is trained on the set rather than on that class: the loss
is ``-log sum_{c in S} p_c`` (partial-label learning, as for ambiguous
labels), so it still says "a person, not background or a cow" while only
the true masks decide "face or body".
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.utils import SampleList

from mmwsss.utils.io import IGNORE_INDEX


def set_membership(mask: torch.Tensor, sets: List[List[int]],
                   num_classes: int) -> torch.Tensor:
    """``(C, H, W)`` bool: for each pixel of ``mask`` (``(H, W)``) that
    one of ``sets`` holds, the classes of its set; all False elsewhere."""
    members = mask.new_zeros((num_classes, ) + tuple(mask.shape),
                             dtype=torch.bool)
    for classes in sets:
        in_set = torch.isin(mask, mask.new_tensor(classes))
        for c in classes:
            members[c] |= in_set
    return members


def split_candidate_sets(samples: SampleList, num_classes: int,
                         size: Sequence[int]
                         ) -> Tuple[SampleList, Optional[torch.Tensor]]:
    """Samples whose set pixels are ignored (for the head's own loss) and
    the ``(B, C, *size)`` set membership of the batch (masks padded to
    ``size``), or ``None`` when no sample has a set.  Samples without a
    set (or without ``gt_sem_seg``) pass unchanged."""
    if not any(s.metainfo.get('candidate_sets') for s in samples):
        return samples, None
    plain, members = [], []
    for sample in samples:
        sets = sample.metainfo.get('candidate_sets')
        if not sets or 'gt_sem_seg' not in sample:
            plain.append(sample)
            members.append(torch.zeros((num_classes, ) + tuple(size),
                                       dtype=torch.bool))
            continue
        mask = sample.gt_sem_seg.data[0]
        member = set_membership(mask, sets, num_classes)
        kept = mask.masked_fill(member.any(dim=0), IGNORE_INDEX)
        copy = sample.clone()
        copy.gt_sem_seg = PixelData(data=kept[None])
        plain.append(copy)
        height, width = mask.shape
        members.append(F.pad(member, (0, size[1] - width,
                                      0, size[0] - height)).cpu())
    return plain, torch.stack(members)


def candidate_set_loss(logits: torch.Tensor, members: torch.Tensor,
                       labelled: int, align_corners: bool = False
                       ) -> torch.Tensor:
    """``-log sum_{c in S} p_c`` summed over the set pixels, divided by
    the count of every supervised pixel (``labelled`` plain ones plus the
    set ones), so it adds to a mean cross-entropy over the plain pixels
    as each pixel's share of one loss.

    Args:
        logits: ``(B, C, h, w)`` segmentation logits (resized here).
        members: ``(B, C, H, W)`` bool from :func:`split_candidate_sets`.
        labelled: count of the plain (non-set, non-ignored) pixels.
    """
    logits = F.interpolate(logits, size=members.shape[-2:], mode='bilinear',
                           align_corners=align_corners).float()
    in_set = members.any(dim=1)
    if not in_set.any():
        return logits.sum() * 0
    log_all = torch.logsumexp(logits, dim=1)
    log_set = torch.logsumexp(logits.masked_fill(~members, float('-inf')),
                              dim=1)
    nll = (log_all - log_set)[in_set]
    return nll.sum() / (labelled + int(in_set.sum()))
