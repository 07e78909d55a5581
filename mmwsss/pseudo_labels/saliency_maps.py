"""Step: salient-object maps of the training images.

A class-agnostic saliency backend (:mod:`mmwsss.saliency`) maps every
training image to a foreground probability per pixel, written as an 8-bit
grey PNG ``<out_dir>/<image stem>.png``: the format of precomputed saliency
folders in the WSSS literature, so the folder can also be read back by
:class:`mmwsss.saliency.FolderSaliency`.
"""
from typing import Dict, List

import numpy as np

from mmwsss.saliency import SaliencyBackend
from mmwsss.utils.io import read_image, write_grey_map
from mmwsss.utils.per_image import ImageShard


def _check_maps(maps: List[np.ndarray], images: List[np.ndarray],
                infos: List[dict]) -> None:
    """Guard against a backend returning the wrong number or size of maps,
    which would otherwise be saved misaligned with no error."""
    if len(maps) != len(images):
        raise RuntimeError(f'saliency backend returned {len(maps)} maps for '
                           f'{len(images)} images')
    for sal, img, info in zip(maps, images, infos):
        if sal.shape != img.shape[:2]:
            raise RuntimeError(
                f'{info["img_path"]}: saliency backend returned a map of '
                f'shape {sal.shape} for an image of size {img.shape[:2]}')


def make_saliency_maps(backend: SaliencyBackend,
                       dataset,
                       out_dir: str,
                       batch_size: int = 8,
                       show_progress: bool = True) -> Dict[str, int]:
    """Write ``out_dir/<image stem>.png`` for this rank's images.

    The dataset pipeline is not run: backends want the decoded image as is
    (BGR uint8).  Returns the shard's tally; ``empty`` counts maps with no
    salient pixel (an all-zero map: the backend found no object).
    """
    shard = ImageShard(dataset, out_dir, '.png', show_progress=show_progress)
    for infos in shard.info_batches(batch_size):
        images = [read_image(info['img_path']) for info in infos]
        maps = backend.predict(images, infos)
        _check_maps(maps, images, infos)
        for sal, info in zip(maps, infos):
            if float(sal.max()) <= 0:
                shard.count('empty')
            write_grey_map(shard.out_path(info), sal)
            shard.advance()
    return shard.tally()
