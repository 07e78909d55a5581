"""The erasing masks of a training run: per image the cumulative mask and
per step and class the mined regions, bit-packed on the cell grid of
:mod:`mmwsss.utils.regions` (5.4 MB per erasing step for the 10,582 VOC
train_aug images at 64x64 cells).  The *cumulative* erasing mask of every
image sits in a shared-memory tensor, so dataloader worker processes
(forked before a step ends) see each new step's masks without being
restarted.
"""
from typing import List

import numpy as np
import torch

from mmwsss.utils.regions import pack, packed_size, unpack


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
