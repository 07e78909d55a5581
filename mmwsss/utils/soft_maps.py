"""Soft localization maps: per pixel a distribution over an image's
classes (HCP's maps), the soft targets of a segmentation network."""
from typing import Dict, Optional, Sequence

import numpy as np

from .files import atomic_write, read_npz


def save_soft_map(path: str, class_ids: Sequence[int], probs: np.ndarray,
                  ignore: Optional[np.ndarray] = None) -> None:
    """Write one image's soft localization map atomically: ``probs`` is
    ``(len(class_ids), H, W)``, per pixel a distribution over
    ``class_ids`` (background first); ``ignore`` marks pixels without a
    target."""
    probs = np.asarray(probs, dtype=np.float32)
    if probs.ndim != 3 or probs.shape[0] != len(class_ids):
        raise ValueError(f'{path}: probs must be (len(class_ids)='
                         f'{len(class_ids)}, H, W), got {probs.shape}')
    if ignore is None:
        ignore = np.zeros(probs.shape[1:], bool)
    with atomic_write(path) as handle:
        np.savez_compressed(handle, class_ids=np.asarray(class_ids, np.int64),
                            probs=probs.astype(np.float16),
                            ignore=np.asarray(ignore, bool))


def load_soft_map(path: str) -> Dict[str, np.ndarray]:
    """Read a file written by :func:`save_soft_map`."""
    data = read_npz(path, 'soft map file', ('class_ids', 'probs', 'ignore'))
    return dict(class_ids=data['class_ids'],
                probs=data['probs'].astype(np.float32),
                ignore=data['ignore'].astype(bool))
