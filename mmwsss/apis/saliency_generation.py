"""Writing one saliency map per image of a dataset: batched, resumable,
sharded, exactly like :func:`make_cams`.

Maps are stored as 8-bit grey PNGs (``<image stem>.png``): the format of
precomputed saliency folders in the WSSS literature, so the output folder can
be read back by :class:`mmwsss.saliency.FolderSaliency` too.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dist import get_dist_info
from mmengine.utils import ProgressBar
from PIL import Image

from mmwsss.datasets.transforms.loading import load_image_checked
from mmwsss.saliency import SaliencyBackend, read_grey_map
from mmwsss.utils.io import atomic_write
from .cam_generation import output_stem, pending_indices

SUFFIX = '.png'


def save_saliency_map(path: str, saliency: np.ndarray) -> None:
    """Write a [0, 1] map as an 8-bit grey PNG, atomically (so an existing
    file is always complete and restarts can skip it)."""
    grey = np.round(np.clip(saliency, 0.0, 1.0) * 255).astype(np.uint8)
    with atomic_write(path) as handle:
        Image.fromarray(grey, mode='L').save(handle, format='PNG')


def load_saliency_map(path: str,
                      expected_shape: Optional[Sequence[int]] = None
                      ) -> np.ndarray:
    """Read a map written by :func:`save_saliency_map` as float32 [0, 1].

    ``expected_shape`` (H, W), usually the image's, catches maps computed
    for another version of the image before they silently misalign.
    """
    saliency = read_grey_map(path)
    if expected_shape is not None and \
            saliency.shape != tuple(expected_shape[:2]):
        raise ValueError(
            f'{path}: saliency map has shape {saliency.shape}, expected '
            f'{tuple(expected_shape[:2])}')
    return saliency


def _load_batch(dataset, indices: Sequence[int]
                ) -> Tuple[List[np.ndarray], List[dict]]:
    """Images (BGR uint8) and data infos; the dataset pipeline is not run
    because backends want the raw decoded image."""
    infos = [dataset.get_data_info(index) for index in indices]
    return [load_image_checked(info['img_path']) for info in infos], infos


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
    """Write ``out_dir/<image stem>.png`` for every image of ``dataset``.

    Rank ``r`` of ``w`` handles images ``r, r + w, ...``; files already
    present are skipped, so a killed run restarted continues.

    Returns:
        ``dict(total=..., done_before=..., written=...)`` for this rank.
    """
    rank, world_size = get_dist_info()
    os.makedirs(out_dir, exist_ok=True)
    todo = pending_indices(dataset, out_dir, SUFFIX, rank, world_size)
    shard_size = len(range(rank, len(dataset), world_size))
    progress = ProgressBar(len(todo)) if show_progress and rank == 0 \
        and todo else None
    for start in range(0, len(todo), batch_size):
        images, infos = _load_batch(dataset, todo[start:start + batch_size])
        maps = backend.predict(images, infos)
        _check_maps(maps, images, infos)
        for sal, info in zip(maps, infos):
            save_saliency_map(
                osp.join(out_dir, output_stem(info) + SUFFIX), sal)
            if progress:
                progress.update()
    return dict(
        total=shard_size, done_before=shard_size - len(todo),
        written=len(todo))
