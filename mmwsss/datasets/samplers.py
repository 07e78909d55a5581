"""Drawing the pixel-labelled images as often as the tags-only ones,
within the same number of iterations.

A few true masks among many pseudo masks would weigh in proportion to
their count (30 of 295 on MSRC-17's 10 %), while they are the only
evidence of what the tags cannot give (which pixels are ``face`` and which
``body``).  Equal shares of labelled and unlabelled samples is the
semi-supervised segmentation literature's usual a-priori choice (CCT's
equal batches), one rule for every dataset.  Repeating the subset in the
data list would do it by lengthening every epoch (PSL's 380 iterations
became 680 on MSRC-17); this sampler keeps an epoch as long as the dataset,
so a semi-supervised pipeline costs what the tags-only one does: each
epoch draws half its samples from the subset (with replacement) and half
from the other images (without), shuffled, from ``seed + epoch`` like
MMEngine's ``DefaultSampler``.  Without a subset it *is* ``DefaultSampler``
(the same order), so tags-only runs do not move.
"""
from typing import Iterator, List, Tuple

import torch
from mmengine.dataset import DefaultSampler

from mmwsss.registry import DATA_SAMPLERS


def labelled_split(dataset) -> Tuple[List[int], List[int]]:
    """Indices of the pixel-labelled images and of the others."""
    labelled, rest = [], []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        (labelled if info.get('pixel_labelled') else rest).append(index)
    return labelled, rest


@DATA_SAMPLERS.register_module()
class PixelBalancedSampler(DefaultSampler):
    """``DefaultSampler`` whose epochs draw the pixel-labelled images
    (a dataset's ``pixel_labels`` subset) as often as the others (see the
    module docstring); ``shuffle`` must stay on."""

    def __init__(self, dataset, shuffle: bool = True, **kwargs) -> None:
        super().__init__(dataset, shuffle=shuffle, **kwargs)
        if not shuffle:
            raise ValueError('PixelBalancedSampler draws at random; it '
                             'needs shuffle=True')
        self.labelled, self.rest = labelled_split(dataset)

    def __iter__(self) -> Iterator[int]:
        if not self.labelled or not self.rest:
            return super().__iter__()
        g = torch.Generator()
        g.manual_seed(self.seed + self.epoch)
        half = len(self.dataset) // 2
        draws = torch.randint(len(self.labelled), (half, ), generator=g)
        others = torch.randperm(len(self.rest), generator=g)
        others = others[:len(self.dataset) - half]
        indices = [self.labelled[i] for i in draws.tolist()] + \
            [self.rest[i] for i in others.tolist()]
        order = torch.randperm(len(indices), generator=g).tolist()
        indices = [indices[i] for i in order]
        if self.round_up:
            indices = (indices * int(self.total_size / len(indices) + 1)
                       )[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.world_size])
