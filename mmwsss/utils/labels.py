"""Image-level label conventions.

Throughout mmwsss an image's labels are the sorted foreground class indices
in the *segmentation* index space (the values its mask would hold): with
VOC, ``[15]`` means "person".  Background (0) is implicit and never listed.
Classifiers predict the ``num_classes - 1`` foreground classes, so class
``c`` is output channel ``c - 1``.
"""
from typing import List, Sequence

import torch


def labels_to_multi_hot(batch_labels: Sequence[Sequence[int]],
                        num_classes: int,
                        device=None) -> torch.Tensor:
    """``(B, num_classes - 1)`` float targets from per-image label lists."""
    target = torch.zeros(len(batch_labels), num_classes - 1, device=device)
    for row, labels in enumerate(batch_labels):
        for label in labels:
            if not 1 <= int(label) < num_classes:
                raise ValueError(
                    f'image label {label} is outside the foreground range '
                    f'[1, {num_classes - 1}]')
            target[row, int(label) - 1] = 1.0
    return target


def sample_labels(data_samples) -> List[List[int]]:
    """Image-level labels of a batch of data samples (packed by
    ``PackWSSSInputs`` from an mmwsss dataset)."""
    try:
        return [list(s.metainfo['img_labels']) for s in data_samples]
    except KeyError:
        raise KeyError('data samples carry no img_labels: training needs an '
                       'mmwsss dataset (image-level labels) and '
                       'PackWSSSInputs in its pipeline') from None
