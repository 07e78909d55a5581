"""Base dataset of images with image-level labels (and optional GT masks).

Every WSSS dataset of mmwsss is an MMSeg ``BaseSegDataset`` whose data infos
carry one more key, ``img_labels``: the sorted foreground class indices of
the image (see :mod:`mmwsss.utils.labels`).  Training pipelines read only
that key; ``seg_map_path`` stays in the info so evaluation can score the
same dataset, but only evaluation pipelines load it.

One data-list path serves every dataset (:meth:`load_data_list`, which
subclasses may not override): the subclass says *which images*
(:meth:`list_images`) and *where labels come from*
(:meth:`load_image_labels`); the base then checks the labels, attaches them
and, when ``pseudo_seg_map_path`` is set, points every image at its pseudo
mask *after* the labels were read, so labels never come from pseudo masks
and segmentation training never opens a ground-truth mask.  Labels derived
from masks are cached in a JSON file so that a 10k-image dataset is scanned
once.
"""
import hashlib
import json
import os
import os.path as osp
from collections import Counter
from typing import List, Optional, Sequence

import numpy as np
from mmengine.fileio import list_from_file
from mmseg.datasets import BaseSegDataset

from mmwsss.registry import DATASETS
from mmwsss.utils.io import atomic_write, image_stem, read_mask

DEFAULT_CACHE_DIR = osp.join(osp.expanduser('~'), '.cache', 'mmwsss')


def read_split(path: str) -> List[str]:
    """Image ids of a split file (MMEngine's ``list_from_file``; blank
    lines and trailing fields dropped), with errors naming the file."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'split file {path} does not exist')
    ids = [line.split()[0] for line in list_from_file(path) if line.strip()]
    if not ids:
        raise ValueError(f'split file {path} is empty: it lists no images')
    return ids


def voc_palette(n: int) -> List[List[int]]:
    """The VOC bit-interleaved colour palette, extended to ``n`` entries
    (background black)."""
    palette = []
    for index in range(n):
        r = g = b = 0
        c = index
        for shift in range(7, -1, -1):
            r |= (c & 1) << shift
            g |= ((c >> 1) & 1) << shift
            b |= ((c >> 2) & 1) << shift
            c >>= 3
        palette.append([r, g, b])
    return palette


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
        saliency_map_path: folder of saliency maps (``<image stem>.png``)
            that become each image's ``saliency_path`` (for soft targets,
            :class:`SaliencySoftTargets`); every image must have one.
        soft_map_path: folder of soft localization maps (``<image
            stem>.npz``, HCP's) that become each image's ``soft_map_path``
            (soft targets, :class:`LoadSoftMap`); every image must have
            one.
        proposal_path: folder of object proposals (``<image stem>.npz``)
            that become each image's ``proposal_path`` (for the HCP
            classifier, :class:`LoadProposals`); every image must have one.
        **kwargs: everything :class:`mmseg.datasets.BaseSegDataset` takes.
    """

    def __init__(self,
                 label_cache_dir: Optional[str] = DEFAULT_CACHE_DIR,
                 pseudo_seg_map_path: Optional[str] = None,
                 saliency_map_path: Optional[str] = None,
                 soft_map_path: Optional[str] = None,
                 proposal_path: Optional[str] = None,
                 **kwargs) -> None:
        self.label_cache_dir = label_cache_dir
        self.pseudo_seg_map_path = pseudo_seg_map_path
        self.saliency_map_path = saliency_map_path
        self.soft_map_path = soft_map_path
        self.proposal_path = proposal_path
        super().__init__(**kwargs)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if 'load_data_list' in cls.__dict__:
            raise TypeError(
                f'{cls.__name__} overrides load_data_list; override '
                'list_images and load_image_labels instead, so label checks '
                'and pseudo-mask routing apply to every dataset')

    # ---------------------------------------------------------------- lists
    def load_data_list(self) -> List[dict]:
        """Images, their checked labels, and pseudo masks when asked for:
        the one path of every mmwsss dataset."""
        data_list = self.list_images()
        if not data_list:
            raise ValueError(
                f'{type(self).__name__}: no images found (ann_file='
                f'{self.ann_file!r}, img_path={self.data_prefix})')
        self._check_unique(data_list)
        labels = self.load_image_labels(data_list)
        for info, img_labels in zip(data_list, labels):
            info['img_labels'] = self._checked_labels(info, img_labels)
            info['num_classes'] = self.num_classes
        routes = (('seg_map_path', self.pseudo_seg_map_path,
                   self.seg_map_suffix, 'pseudo mask'),
                  ('saliency_path', self.saliency_map_path, '.png',
                   'saliency map'),
                  ('soft_map_path', self.soft_map_path, '.npz',
                   'soft localization map'),
                  ('proposal_path', self.proposal_path, '.npz',
                   'proposal file'))
        for key, folder, suffix, what in routes:
            if folder is not None:
                self._route(data_list, key, folder, suffix, what)
        return data_list

    def list_images(self) -> List[dict]:
        """Data infos (``img_path``, and ``seg_map_path`` when
        ``data_prefix`` names a mask folder) of the split: the ids of
        ``ann_file``, or every image of the folder without one."""
        if self.ann_file and not osp.isdir(self.ann_file):
            return self._data_list_from_ids(read_split(self.ann_file))
        return super().load_data_list()

    def _data_list_from_ids(self, ids: Sequence[str]) -> List[dict]:
        img_dir = self.data_prefix.get('img_path', '')
        ann_dir = self.data_prefix.get('seg_map_path')
        data_list = []
        for img_id in ids:
            info = dict(
                img_path=osp.join(img_dir, img_id + self.img_suffix),
                label_map=self.label_map,
                reduce_zero_label=self.reduce_zero_label,
                seg_fields=[])
            if ann_dir:
                info['seg_map_path'] = osp.join(ann_dir,
                                                img_id + self.seg_map_suffix)
            data_list.append(info)
        return data_list

    def _check_unique(self, data_list: List[dict]) -> None:
        """Each image once: its outputs are named by its stem."""
        counts = Counter(image_stem(info) for info in data_list)
        twice = sorted(stem for stem, n in counts.items() if n > 1)
        if twice:
            raise ValueError(f'{type(self).__name__}: image ids listed more '
                             f'than once: {twice[:5]}')

    def _checked_labels(self, info: dict, labels: Sequence[int]) -> List[int]:
        bad = [c for c in labels if not 1 <= int(c) < self.num_classes]
        if bad:
            raise ValueError(
                f'{info["img_path"]}: image labels {bad} are outside the '
                f'foreground classes [1, {self.num_classes})')
        return sorted({int(c) for c in labels})

    def _route(self, data_list: List[dict], key: str, folder: str,
               suffix: str, what: str) -> None:
        """Point every image's ``key`` at ``folder/<stem><suffix>``; a
        missing file is an error (an incomplete folder of pseudo masks or
        saliency maps must not train silently)."""
        folder = osp.join(self.data_root or '', folder)
        if not osp.isdir(folder):
            raise FileNotFoundError(
                f'{type(self).__name__}: {what} folder {folder} does not '
                'exist')
        missing = []
        for info in data_list:
            info[key] = osp.join(folder, image_stem(info) + suffix)
            if not osp.isfile(info[key]):
                missing.append(info[key])
        if missing:
            raise FileNotFoundError(
                f'{type(self).__name__}: {len(missing)} of {len(data_list)} '
                f'{what}s are missing in {folder} (first: {missing[0]})')

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
