"""The interface every saliency backend implements.

Saliency maps are a class-agnostic foreground prior for WSSS (background
cues for CAM refinement and pseudo labels).  Backends are batched by design
so that network backends can run a whole list in one call, while simple
ones just loop.
"""
from abc import ABCMeta, abstractmethod
from typing import List, Sequence

import numpy as np


class SaliencyBackend(metaclass=ABCMeta):
    """Turns images into saliency maps.

    ``predict`` takes BGR ``uint8`` HxWx3 images (as decoded by
    ``load_image_checked``) with their data infos (``img_path`` at least; a
    backend reading precomputed files needs it) and returns one ``float32``
    HxW map in [0, 1] per image, at that image's own size.
    """

    @abstractmethod
    def predict(self, images: List[np.ndarray],
                infos: List[dict]) -> List[np.ndarray]:
        """Saliency maps of ``images``, in the same order."""


def check_inputs(images: Sequence[np.ndarray], infos: Sequence[dict]) -> None:
    """Reject inputs that would otherwise fail deep inside cv2/onnxruntime
    with a message that does not say which image is wrong."""
    if len(images) != len(infos):
        raise ValueError(f'{len(images)} images but {len(infos)} data infos')
    for img, info in zip(images, infos):
        if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
            raise ValueError(
                f'{info.get("img_path")}: expected a BGR uint8 HxWx3 image, '
                f'got {img.dtype} array of shape {img.shape}')


def minmax_normalise(saliency: np.ndarray) -> np.ndarray:
    """Scale a map to [0, 1] as float32; a constant map becomes all zeros
    (no evidence of any salient region) instead of dividing by zero."""
    saliency = saliency.astype(np.float32)
    low, high = float(saliency.min()), float(saliency.max())
    if high - low < 1e-12:
        return np.zeros_like(saliency)
    return (saliency - low) / (high - low)
