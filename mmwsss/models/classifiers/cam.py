"""Class activation maps: multi-scale + flip inference and normalisation.

This is the one place where CAMs are computed from a classifier's raw maps;
make_cams, adversarial erasing and pseudo-label generation all call it.
"""
from typing import Callable, List, Sequence, Tuple

import torch
import torch.nn.functional as F

DEFAULT_CAM_SCALES = (1.0, 0.5, 1.5, 2.0)


def multi_scale_cam_logits(cam_fn: Callable[[torch.Tensor], torch.Tensor],
                           inputs: torch.Tensor,
                           scales: Sequence[float] = DEFAULT_CAM_SCALES,
                           flip: bool = True) -> torch.Tensor:
    """Sum over scales (and horizontal flips) of ReLU'd CAMs.

    Args:
        cam_fn: maps a ``(N, 3, h, w)`` batch to raw CAMs ``(N, K, h', w')``.
        inputs: normalised images ``(B, 3, H, W)``.
        scales: input rescaling factors; each scale is one batched forward
            pass, with the flipped copies in the same batch.
        flip: also run the horizontally flipped images.

    Returns:
        ``(B, K, H, W)`` non-negative maps at input resolution.
    """
    batch, _, height, width = inputs.shape
    total = None
    for scale in scales:
        x = inputs if scale == 1.0 else F.interpolate(
            inputs, scale_factor=scale, mode='bilinear', align_corners=False)
        if flip:
            x = torch.cat([x, x.flip(-1)], dim=0)
        cams = F.relu(cam_fn(x))
        if flip:
            cams = cams[:batch] + cams[batch:].flip(-1)
        cams = F.interpolate(
            cams, size=(height, width), mode='bilinear', align_corners=False)
        total = cams if total is None else total + cams
    return total


def normalise_cams(cams: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Divide each map of ``(K, H, W)`` by its maximum (values in [0, 1])."""
    peak = cams.flatten(1).max(dim=1).values.clamp_min(eps)
    return cams / peak[:, None, None]


def select_and_normalise(cams: torch.Tensor, labels: Sequence[int],
                         valid_shape: Tuple[int, int],
                         out_shape: Tuple[int, int] = None) -> torch.Tensor:
    """One image's CAMs restricted to its labels, cropped to its unpadded
    area, optionally resized, then normalised per class.

    Args:
        cams: ``(num_classes - 1, H, W)`` maps of one (padded) image.
        labels: foreground class indices (1-based, see utils.labels).
        valid_shape: unpadded ``(h, w)`` inside ``cams``.
        out_shape: final size (the original image size) if different.
    """
    channels = [int(c) - 1 for c in labels]
    h, w = valid_shape
    picked = cams[channels, :h, :w]
    if out_shape is not None and tuple(out_shape) != (h, w) and len(channels):
        picked = F.interpolate(
            picked[None], size=tuple(out_shape), mode='bilinear',
            align_corners=False)[0]
    if not len(channels):
        return picked.new_zeros((0, ) + tuple(out_shape or (h, w)))
    return normalise_cams(picked)


def cams_to_label_map(cams, labels: Sequence[int], bg_threshold: float):
    """Pseudo mask from normalised CAMs: background where every CAM is below
    ``bg_threshold``, otherwise the class of the strongest CAM.

    Works on numpy arrays or tensors ``(len(labels), H, W)``.
    """
    import numpy as np
    cams = np.asarray(cams, dtype=np.float32)
    height, width = cams.shape[1:]
    scores = np.concatenate(
        [np.full((1, height, width), bg_threshold, np.float32), cams])
    keys = np.asarray([0] + [int(c) for c in labels])
    return keys[scores.argmax(0)].astype(np.uint8)


def batch_cams(cam_fn, inputs: torch.Tensor, batch_labels, valid_shapes,
               out_shapes=None, scales=DEFAULT_CAM_SCALES,
               flip=True) -> List[torch.Tensor]:
    """Normalised label-restricted CAMs for every image of a padded batch."""
    total = multi_scale_cam_logits(cam_fn, inputs, scales, flip)
    out_shapes = out_shapes or [None] * len(batch_labels)
    return [
        select_and_normalise(total[i], labels, valid_shapes[i], out_shapes[i])
        for i, labels in enumerate(batch_labels)
    ]
