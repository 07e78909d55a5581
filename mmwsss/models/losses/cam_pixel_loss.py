"""Teaching a CAM where its class is, from the few true masks.

Semi-supervised runs have a pixel-labelled subset; its masks can train the
classifier's maps as well as the segmentor.  The cues are cut from the
*normalised* CAM, ``relu(cam) / max(cam)`` thresholded at a fraction of
its peak, so that is the map this loss shapes: on a labelled image, each
class present in the (augmented) crop should reach 1 on its cells and 0
elsewhere, with the share of the class in a cell as the target at
boundaries.  The map is divided by its largest magnitude, taken as a
constant (no gradient): that is the peak whenever the class fires at all,
it keeps the loss bounded when it does not yet (a CAM all below zero, as
at the start of training), and the loss moves the map's shape, not its
scale, which the image-level loss keeps.
Cells below the peak's zero are left alone where the target is 0 (the
threshold treats them alike), and are pushed up where it is not, so a
class region the CAM misses still gets a gradient (a ReLU would stop it).
"""
import torch
import torch.nn.functional as F

from mmwsss.utils.io import IGNORE_INDEX

#: a cell counts when at least this share of its pixels is labelled
MIN_LABELLED_SHARE = 0.5


def cell_class_shares(masks: torch.Tensor, num_classes: int,
                      size: tuple) -> tuple:
    """``(shares, labelled)``: each class's share of a CAM cell's labelled
    pixels ``(B, C, h, w)``, and whether a cell has enough labelled pixels
    ``(B, h, w)``.  ``masks`` is ``(B, H, W)`` class indices, 255 ignored."""
    known = masks != IGNORE_INDEX
    one_hot = F.one_hot(torch.where(known, masks, 0).long(), num_classes)
    one_hot = one_hot.permute(0, 3, 1, 2).float() * known[:, None]
    counts = F.adaptive_avg_pool2d(one_hot, size)
    coverage = counts.sum(1)
    shares = counts / coverage.clamp(min=1e-6)[:, None]
    return shares, coverage >= MIN_LABELLED_SHARE


def cam_pixel_loss(cam_logits: torch.Tensor,
                   masks: torch.Tensor) -> torch.Tensor:
    """Mean squared error of the peak-normalised CAM of every class present
    in a mask against its cell shares (see the module docstring).

    Args:
        cam_logits: ``(B, C - 1, h, w)`` CAMs of the foreground classes.
        masks: ``(B, H, W)`` true masks (class indices, 255 ignored) of the
            same images, at the input size; all-ignored ones add nothing.
    """
    shares, labelled = cell_class_shares(masks, cam_logits.shape[1] + 1,
                                         cam_logits.shape[2:])
    target = shares[:, 1:]
    peak = cam_logits.detach().abs().flatten(2).amax(2).clamp(min=1e-5)
    normalised = cam_logits / peak[..., None, None]
    error = torch.where(target > 0, normalised - target,
                        normalised.clamp(min=0))
    present = (target * labelled[:, None]).flatten(2).amax(2) > 0
    weight = present[..., None, None] & labelled[:, None]
    if not weight.any():
        return cam_logits.sum() * 0.0
    return (error.pow(2) * weight).sum() / weight.sum()
