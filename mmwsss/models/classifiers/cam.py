"""Class activation maps: multi-scale + flip inference and normalisation.

This is the one place where CAMs are computed from a classifier's raw maps;
make_cams, adversarial erasing and pseudo-label generation all call it.
"""
import math
from typing import Callable, List, Sequence, Tuple

import torch
import torch.nn.functional as F

DEFAULT_CAM_SCALES = (1.0, 0.5, 1.5, 2.0)
#: Maps of every scale are summed on a grid of 1/4 of the input size (as
#: IRN does): finer than any backbone's CAM (stride 8-32), 16 times fewer
#: pixels than the input.  Each image's labelled maps are upsampled to its
#: own size once, at the end.
CAM_STRIDE = 4


def multi_scale_cam_logits(cam_fn: Callable[[torch.Tensor], torch.Tensor],
                           inputs: torch.Tensor,
                           scales: Sequence[float] = DEFAULT_CAM_SCALES,
                           flip: bool = True,
                           stride: int = CAM_STRIDE) -> torch.Tensor:
    """Sum over scales (and horizontal flips) of ReLU'd CAMs.

    Args:
        cam_fn: maps a ``(N, 3, h, w)`` batch to raw CAMs ``(N, K, h', w')``.
        inputs: normalised images ``(B, 3, H, W)``.
        scales: input rescaling factors; each scale is one batched forward
            pass, with the flipped copies in the same batch.
        flip: also run the horizontally flipped images.
        stride: the maps are summed on the ``ceil(H / stride) x
            ceil(W / stride)`` grid.

    Returns:
        ``(B, K, ceil(H / stride), ceil(W / stride))`` non-negative maps.
    """
    batch, _, height, width = inputs.shape
    size = (math.ceil(height / stride), math.ceil(width / stride))
    total = None
    for scale in scales:
        x = inputs if scale == 1.0 else F.interpolate(
            inputs, scale_factor=scale, mode='bilinear', align_corners=False)
        if flip:
            x = torch.cat([x, x.flip(-1)], dim=0)
        cams = F.relu(cam_fn(x))
        if flip:
            cams = cams[:batch] + cams[batch:].flip(-1)
        if tuple(cams.shape[-2:]) != size:
            cams = F.interpolate(cams, size=size, mode='bilinear',
                                 align_corners=False)
        total = cams if total is None else total + cams
    return total


def normalise_cams(cams: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Divide each map of ``(K, H, W)`` by its maximum (values in [0, 1])."""
    peak = cams.flatten(1).max(dim=1).values.clamp_min(eps)
    return cams / peak[:, None, None]


def select_and_normalise(cams: torch.Tensor, labels: Sequence[int],
                         valid_shape: Tuple[int, int],
                         out_shape: Tuple[int, int] = None,
                         stride: int = CAM_STRIDE) -> torch.Tensor:
    """One image's CAMs: its labelled classes only, its unpadded area only,
    upsampled once to its size, normalised per class.

    Args:
        cams: ``(num_classes - 1, h, w)`` maps of one (padded) image on the
            ``stride`` grid of :func:`multi_scale_cam_logits`.
        labels: foreground class indices (1-based, see utils.labels).
        valid_shape: unpadded ``(h, w)`` of the input image.
        out_shape: final size (the original image size) if different.
    """
    height, width = valid_shape
    out_shape = tuple(out_shape or valid_shape)
    channels = [int(c) - 1 for c in labels]
    if not channels:
        return cams.new_zeros((0, ) + out_shape)
    rows, cols = math.ceil(height / stride), math.ceil(width / stride)
    picked = cams[channels, :rows, :cols][None]
    picked = F.interpolate(picked, size=(rows * stride, cols * stride),
                           mode='bilinear', align_corners=False)
    picked = picked[..., :height, :width]
    if out_shape != (height, width):
        picked = F.interpolate(picked, size=out_shape, mode='bilinear',
                               align_corners=False)
    return normalise_cams(picked[0])


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
    """Normalised label-restricted CAMs for every image of a padded batch,
    at each image's ``out_shapes`` size (its valid size by default), or,
    with ``out_shapes=False``, on the ``CAM_STRIDE`` grid of its valid
    area (what mining needs: no full-size work)."""
    total = multi_scale_cam_logits(cam_fn, inputs, scales, flip)
    if out_shapes is False:
        return [cams_on_grid(total[i], labels, valid_shapes[i])
                for i, labels in enumerate(batch_labels)]
    out_shapes = out_shapes or [None] * len(batch_labels)
    return [
        select_and_normalise(total[i], labels, valid_shapes[i], out_shapes[i])
        for i, labels in enumerate(batch_labels)
    ]


def cams_on_grid(cams: torch.Tensor, labels: Sequence[int],
                 valid_shape: Tuple[int, int],
                 stride: int = CAM_STRIDE) -> torch.Tensor:
    """One image's labelled, normalised CAMs on the ``stride`` grid of its
    unpadded area (no upsampling)."""
    rows = math.ceil(valid_shape[0] / stride)
    cols = math.ceil(valid_shape[1] / stride)
    channels = [int(c) - 1 for c in labels]
    if not channels:
        return cams.new_zeros((0, rows, cols))
    return normalise_cams(cams[channels, :rows, :cols])
