"""Compact storage of adversarial-erasing masks.

Every mask lives on a fixed ``grid x grid`` cell grid per image (whatever
the image size) and is bit-packed: 64x64 cells cost 512 bytes, so the 10,582
VOC train_aug images need 5.4 MB per erasing step.  The *cumulative* erasing
mask of every image sits in a shared-memory tensor, so dataloader worker
processes (forked before a step ends) see each new step's masks without
being restarted.
"""
from typing import List, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F


def packed_size(grid: int) -> int:
    return (grid * grid + 7) // 8


def pack(mask: np.ndarray) -> np.ndarray:
    """``(grid, grid)`` bool -> packed uint8 row."""
    return np.packbits(mask.astype(bool).ravel())


def unpack(row, grid: int) -> np.ndarray:
    """Packed uint8 row (numpy or tensor) -> ``(grid, grid)`` bool."""
    row = row.numpy() if isinstance(row, torch.Tensor) else row
    return np.unpackbits(row, count=grid * grid).reshape(grid, grid) \
        .astype(bool)


def to_grid(cams: torch.Tensor, grid: int) -> torch.Tensor:
    """Area-average ``(L, H, W)`` maps onto the ``grid x grid`` cells."""
    if cams.shape[0] == 0:
        return cams.new_zeros((0, grid, grid))
    return F.interpolate(cams[None].float(), size=(grid, grid),
                         mode='area')[0]


def grid_to_image(mask: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Nearest-neighbour resize of a cell mask to an image's ``(H, W)``."""
    height, width = int(shape[0]), int(shape[1])
    return cv2.resize(mask.astype(np.uint8), (width, height),
                      interpolation=cv2.INTER_NEAREST).astype(bool)


class ErasingMaskStore:
    """Per-image cumulative masks (shared memory) and per-step, per-class
    mined regions (main process only).

    Args:
        image_labels: each training image's foreground labels, in dataset
            order; a region is kept for every (image, label) pair.
        grid: cells per side of the mask grid.
        max_steps: number of erasing steps that can be stored.
    """

    def __init__(self, image_labels: List[List[int]], grid: int,
                 max_steps: int) -> None:
        self.grid = grid
        self.image_labels = [list(labels) for labels in image_labels]
        self.offsets = np.cumsum([0] + [len(labels)
                                        for labels in image_labels])
        width = packed_size(grid)
        self.cumulative = torch.zeros(len(image_labels), width,
                                      dtype=torch.uint8).share_memory_()
        self.regions = np.zeros((max_steps, self.offsets[-1], width),
                                np.uint8)

    @property
    def num_images(self) -> int:
        return len(self.image_labels)

    def erase_mask(self, index: int) -> np.ndarray:
        """Cumulative erasing mask of image ``index`` on the cell grid."""
        return unpack(self.cumulative[index], self.grid)

    def add_regions(self, step: int, index: int,
                    class_masks: np.ndarray) -> None:
        """Record the regions mined at ``step`` (0-based) for image
        ``index``: ``(len(labels), grid, grid)`` bool, and erase them."""
        start, stop = self.offsets[index], self.offsets[index + 1]
        if len(class_masks) != stop - start:
            raise ValueError(f'image {index}: {len(class_masks)} masks for '
                             f'{stop - start} labels')
        union = np.zeros((self.grid, self.grid), bool)
        for row, mask in zip(range(start, stop), class_masks):
            self.regions[step, row] = pack(mask)
            union |= mask
        self.cumulative[index] |= torch.from_numpy(pack(union))

    def image_regions(self, index: int, steps: int) -> np.ndarray:
        """``(steps, len(labels), grid, grid)`` bool regions of an image."""
        start, stop = self.offsets[index], self.offsets[index + 1]
        return np.stack([
            np.stack([unpack(self.regions[s, r], self.grid)
                      for r in range(start, stop)])
            if stop > start else np.zeros((0, self.grid, self.grid), bool)
            for s in range(steps)
        ]) if steps else np.zeros((0, stop - start, self.grid, self.grid),
                                  bool)

    def coverage(self) -> float:
        """Fraction of all cells currently erased (for logging)."""
        bits = np.unpackbits(self.cumulative.numpy(), axis=1)
        return float(bits[:, :self.grid * self.grid].mean()) \
            if self.num_images else 0.0

    # ----------------------------------------------------------- checkpoint
    def state_dict(self) -> dict:
        return dict(grid=self.grid, image_labels=self.image_labels,
                    cumulative=self.cumulative.clone(),
                    regions=torch.from_numpy(self.regions.copy()))

    def load_state_dict(self, state: dict, source: str = 'checkpoint'):
        if len(state['image_labels']) != self.num_images:
            raise ValueError(
                f'{source}: erasing masks are for a dataset of '
                f'{len(state["image_labels"])} images, but the training set '
                f'has {self.num_images}')
        if state['image_labels'] != self.image_labels:
            raise ValueError(f'{source}: erasing masks were mined for images '
                             'with other labels (a different dataset?)')
        if state['grid'] != self.grid:
            raise ValueError(f'{source}: erasing grid {state["grid"]} != '
                             f'configured grid {self.grid}')
        regions = state['regions'].numpy()
        steps = min(len(regions), len(self.regions))
        self.regions[:steps] = regions[:steps]
        self.cumulative.copy_(state['cumulative'])
