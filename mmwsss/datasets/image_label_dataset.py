"""Base dataset of images with image-level labels (and optional GT masks).

Every WSSS dataset of mmwsss is an MMSeg ``BaseSegDataset`` whose data infos
carry one more key, ``img_labels``: the sorted foreground class indices of
the image (see :mod:`mmwsss.utils.labels`).  Training pipelines read only
that key; ``seg_map_path`` stays in the info so evaluation can score the
same dataset, but only evaluation pipelines load it.

Where labels come from is the one thing subclasses change
(:meth:`load_image_labels`).  Segmentation training on pseudo masks (PSL)
points ``pseudo_seg_map_path`` at a folder of generated masks: they replace
``seg_map_path`` *after* the image labels are read, so labels never come
from the pseudo masks and the ground truth is never read by training.
Labels derived from masks are cached in a JSON file so that a 10k-image
dataset is scanned once.
"""
import hashlib
import json
import os
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS
from PIL import Image

from mmwsss.utils.io import atomic_write, read_split

DEFAULT_CACHE_DIR = osp.join(osp.expanduser('~'), '.cache', 'mmwsss')


def read_mask(path: str) -> np.ndarray:
    """Raw palette indices of a label PNG (never RGB), with a clear error."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'mask file {path} does not exist')
    try:
        with Image.open(path) as img:
            img.load()
            if img.mode not in ('P', 'L', 'I', 'I;16'):
                raise ValueError(f'{path}: mask mode {img.mode} is not a '
                                 'palette or grey-level image')
            mask = np.asarray(img).astype(np.int64)
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(
            f'{path}: cannot read mask (corrupt or truncated: {exc})') from exc
    if mask.ndim != 2:
        raise ValueError(f'{path}: mask must be single-channel, got shape '
                         f'{mask.shape}')
    if mask.size and (mask.max() > 255 or mask.min() < 0):
        raise ValueError(f'{path}: mask values must lie in 0..255 (found '
                         f'{mask.min()}..{mask.max()})')
    return mask


def labels_from_mask(mask: np.ndarray, num_classes: int, path: str,
                     ignore_index: int = 255) -> List[int]:
    """Foreground classes present in ``mask``; bad values name the file."""
    values = np.unique(mask)
    bad = [int(v) for v in values
           if v != ignore_index and not 0 <= v < num_classes]
    if bad:
        raise ValueError(f'{path}: mask holds values {bad} outside '
                         f'[0, {num_classes}) that are not {ignore_index}')
    return [int(v) for v in values if 0 < v < num_classes]


@DATASETS.register_module()
class ImageLabelSegDataset(BaseSegDataset):
    """MMSeg dataset whose data infos also hold image-level labels.

    Args:
        label_cache_dir: where labels derived from masks are cached; ``None``
            disables the cache.  The cache key covers the file list and the
            masks' sizes and modification times.
        pseudo_seg_map_path: folder of pseudo masks (``<image stem>`` +
            ``seg_map_suffix``) that become each image's ``seg_map_path``;
            relative paths are joined to ``data_root``.  Every image must
            have one.
        **kwargs: everything :class:`mmseg.datasets.BaseSegDataset` takes.
    """

    def __init__(self,
                 label_cache_dir: Optional[str] = DEFAULT_CACHE_DIR,
                 pseudo_seg_map_path: Optional[str] = None,
                 **kwargs) -> None:
        self.label_cache_dir = label_cache_dir
        self.pseudo_seg_map_path = pseudo_seg_map_path
        super().__init__(**kwargs)

    # ---------------------------------------------------------------- lists
    def load_data_list(self) -> List[dict]:
        if self.ann_file and not osp.isdir(self.ann_file):
            data_list = self._data_list_from_split(read_split(self.ann_file))
        else:
            data_list = super().load_data_list()
        if not data_list:
            raise ValueError(
                f'{type(self).__name__}: no images found (ann_file='
                f'{self.ann_file!r}, img_path={self.data_prefix})')
        labels = self.load_image_labels(data_list)
        for info, img_labels in zip(data_list, labels):
            info['img_labels'] = list(img_labels)
            info['num_classes'] = self.num_classes
        if self.pseudo_seg_map_path is not None:
            self._use_pseudo_masks(data_list)
        return data_list

    def _use_pseudo_masks(self, data_list: List[dict]) -> None:
        """Point every image at its pseudo mask; a missing one is an error
        (an incomplete pseudo-label folder must not train silently)."""
        folder = osp.join(self.data_root or '', self.pseudo_seg_map_path)
        if not osp.isdir(folder):
            raise FileNotFoundError(
                f'{type(self).__name__}: pseudo mask folder {folder} does '
                'not exist')
        missing = []
        for info in data_list:
            stem = osp.splitext(osp.basename(info['img_path']))[0]
            info['seg_map_path'] = osp.join(folder, stem + self.seg_map_suffix)
            if not osp.isfile(info['seg_map_path']):
                missing.append(info['seg_map_path'])
        if missing:
            raise FileNotFoundError(
                f'{type(self).__name__}: {len(missing)} of {len(data_list)} '
                f'pseudo masks are missing in {folder} (first: {missing[0]})')

    def _data_list_from_split(self, ids: List[str]) -> List[dict]:
        """Data infos of the image ids of a split file (blank lines and
        trailing fields already dropped by :func:`read_split`)."""
        img_dir = self.data_prefix.get('img_path', '')
        ann_dir = self.data_prefix.get('seg_map_path')
        data_list = []
        for img_id in ids:
            info = dict(
                img_path=osp.join(img_dir, img_id + self.img_suffix),
                label_map=self.label_map,
                reduce_zero_label=self.reduce_zero_label,
                seg_fields=[])
            if ann_dir is not None:
                info['seg_map_path'] = osp.join(ann_dir,
                                                img_id + self.seg_map_suffix)
            data_list.append(info)
        return data_list

    # --------------------------------------------------------------- labels
    @property
    def num_classes(self) -> int:
        return len(self.metainfo['classes'])

    def load_image_labels(self, data_list: List[dict]) -> List[List[int]]:
        """Labels of every image; default: the classes its mask contains."""
        paths = [info.get('seg_map_path') for info in data_list]
        if any(p is None for p in paths):
            raise ValueError(
                f'{type(self).__name__}: image labels are derived from masks '
                'but data_prefix has no seg_map_path')
        return self._cached(paths, self._labels_from_masks)

    def _labels_from_masks(self, paths: Sequence[str]) -> List[List[int]]:
        return [
            labels_from_mask(read_mask(p), self.num_classes, p) for p in paths
        ]

    def _cached(self, paths: Sequence[str], compute) -> List[List[int]]:
        cache_file = self._cache_file(paths)
        if cache_file and osp.isfile(cache_file):
            try:
                with open(cache_file) as handle:
                    cached = json.load(handle)
                if isinstance(cached, list) and len(cached) == len(paths):
                    return cached
            except (OSError, ValueError):
                pass  # a damaged cache is rebuilt below
        labels = compute(paths)
        if cache_file:
            try:
                with atomic_write(cache_file, 'w') as handle:
                    json.dump(labels, handle)
            except OSError:
                pass  # a read-only cache location only costs a rescan
        return labels

    def _cache_file(self, paths: Sequence[str]) -> Optional[str]:
        if not self.label_cache_dir:
            return None
        digest = hashlib.sha1(type(self).__name__.encode())
        digest.update(str(self.num_classes).encode())
        for path in paths:
            try:
                stat = os.stat(path)
                stamp = f'{stat.st_size}:{stat.st_mtime_ns}'
            except OSError:
                stamp = 'missing'
            digest.update(f'{osp.abspath(path)}|{stamp}\n'.encode())
        return osp.join(self.label_cache_dir,
                        f'labels-{digest.hexdigest()[:16]}.json')
