"""Adversarial-erasing regions on their cell grid: bit packing, the grid's
resampling, and the per-image regions files.

Every region lives on a fixed ``grid x grid`` cell grid per image (whatever
the image size) and is bit-packed: 64x64 cells cost 512 bytes.  The erasing
loop mines regions on the grid (:func:`to_grid`) and writes them
(:func:`save_regions_file`); the erasing transform, the pseudo masks and
the erasing pictures read them back.

The grid goes back to image size in two ways, kept apart on purpose:

* :func:`grid_to_image` (nearest neighbour) erases training images: a cell
  is erased in whole, exactly as mined, so the network never sees a half
  erased cell;
* :func:`fuse_regions` (bilinear, then > 0.5) makes the pseudo masks: it
  rounds the cell staircase off into smoother object outlines.

They are not the same function: bilinear > 0.5 cuts the corners of every
region (a lone cell upsampled 4x loses its four corner pixels) and, at
sizes that are no multiple of the grid, puts the cell borders elsewhere
(``tests/test_regions.py`` shows both), so unifying them would change
either the erased training images or the pseudo masks.
"""
from typing import Dict, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from .files import atomic_write, read_npz


# ----------------------------------------------------------------- packing
def packed_size(grid: int) -> int:
    """Bytes of one packed ``grid x grid`` mask."""
    return (grid * grid + 7) // 8


def pack(mask: np.ndarray) -> np.ndarray:
    """``(grid, grid)`` bool -> packed uint8 row."""
    return np.packbits(mask.astype(bool).ravel())


def unpack(row, grid: int) -> np.ndarray:
    """Packed uint8 row (numpy or tensor) -> ``(grid, grid)`` bool."""
    row = row.numpy() if isinstance(row, torch.Tensor) else row
    return np.unpackbits(row, count=grid * grid).reshape(grid, grid) \
        .astype(bool)


# -------------------------------------------------------------- resampling
def to_grid(cams: torch.Tensor, grid: int) -> torch.Tensor:
    """Area-average ``(L, H, W)`` maps onto the ``grid x grid`` cells."""
    if cams.shape[0] == 0:
        return cams.new_zeros((0, grid, grid))
    return F.interpolate(cams[None].float(), size=(grid, grid),
                         mode='area')[0]


def grid_to_image(mask: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Nearest-neighbour resize of a cell mask to an image's ``(H, W)``:
    what the erasing of training images uses (whole cells)."""
    height, width = int(shape[0]), int(shape[1])
    return cv2.resize(mask.astype(np.uint8), (width, height),
                      interpolation=cv2.INTER_NEAREST).astype(bool)


def fuse_regions(regions: np.ndarray, fuse_steps: int,
                 shape: Sequence[int]) -> np.ndarray:
    """Union of the first ``fuse_steps`` steps' ``(steps, L, g, g)`` cell
    masks, upsampled (bilinear, then > 0.5) to ``(L, H, W)`` bool: what
    the pseudo masks use (smooth outlines)."""
    fused = regions[:fuse_steps].any(axis=0).astype(np.float32)
    height, width = int(shape[0]), int(shape[1])
    return np.stack([
        cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
        > 0.5 for mask in fused
    ]) if len(fused) else np.zeros((0, height, width), bool)


# ------------------------------------------------------------------- files
def save_regions_file(path: str, regions: np.ndarray,
                      labels: Sequence[int]) -> None:
    """Write one image's mined erasing regions atomically: ``regions`` is
    ``(steps, len(labels), grid, grid)`` bool, one mask per step and class."""
    regions = np.asarray(regions, dtype=bool)
    if regions.ndim != 4 or regions.shape[1] != len(labels):
        raise ValueError(f'{path}: regions must be (steps, len(labels)='
                         f'{len(labels)}, grid, grid), got {regions.shape}')
    with atomic_write(path) as handle:
        np.savez_compressed(handle, regions=regions,
                            labels=np.asarray(labels, dtype=np.int64))


def load_regions_file(path: str) -> Dict[str, np.ndarray]:
    """Read a file written by :func:`save_regions_file`."""
    data = read_npz(path, 'regions file', ('regions', 'labels'),
                    missing='erasing regions file')
    return dict(regions=data['regions'].astype(bool), labels=data['labels'])
