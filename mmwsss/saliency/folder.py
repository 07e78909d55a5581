"""Precomputed saliency maps read from a folder.

Strong saliency models used in WSSS papers (DSS, PoolNet, ...) are usually
run once with their authors' code; this backend lets the rest of the
pipeline consume their PNG outputs exactly like a live backend.
"""
import os.path as osp
from typing import List

import numpy as np

from mmwsss.registry import SALIENCY
from mmwsss.utils.io import image_stem, read_grey_map
from .base import SaliencyBackend, check_inputs


@SALIENCY.register_module()
class FolderSaliency(SaliencyBackend):
    """Reads ``<folder>/<image stem><suffix>`` for each image."""

    def __init__(self, folder: str, suffix: str = '.png') -> None:
        self.folder = folder
        self.suffix = suffix

    def map_path(self, info: dict) -> str:
        return osp.join(self.folder, image_stem(info) + self.suffix)

    def _read(self, img: np.ndarray, info: dict) -> np.ndarray:
        path = self.map_path(info)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'saliency map {path} for image {info["img_path"]} does not '
                'exist')
        sal = read_grey_map(path)
        if sal.shape != img.shape[:2]:
            raise ValueError(
                f'saliency map {path} has size {sal.shape} (HxW) but image '
                f'{info["img_path"]} has size {img.shape[:2]}')
        return sal

    def predict(self, images: List[np.ndarray],
                infos: List[dict]) -> List[np.ndarray]:
        check_inputs(images, infos)
        return [self._read(img, info) for img, info in zip(images, infos)]
