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
and segmentation training never opens a ground-truth mask.  The one
exception is a *pixel-labelled subset* (``pixel_labels``, read and checked
by :mod:`mmwsss.datasets.pixel_labels`): those images are marked
``pixel_labelled`` and carry ``true_seg_map_path``; when masks are routed
they train on their true masks instead of pseudo masks, and soft targets
come from those masks too.  Labels derived from masks are cached in a JSON
file so that a 10k-image dataset is scanned once.
"""
import hashlib
import json
import os
import os.path as osp
from collections import Counter
from typing import Dict, List, Optional, Sequence, Set, Union

import numpy as np
from mmengine.fileio import list_from_file
from mmseg.datasets import BaseSegDataset

from mmwsss.registry import DATASETS
from mmwsss.utils.io import atomic_write, image_stem, read_mask
from mmwsss.utils.labels import image_candidate_sets, inseparable_class_groups
from .pixel_labels import (CLASSES_FILE, check_true_mask, mask_files,
                           parse_pixel_labels, read_mask_classes, subset_fold)

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
        pixel_labels: the images whose true masks training may read (the
            rest stay tags only); ``None`` for none.  Either
            ``dict(ann_file=LIST)``: the image ids of ``LIST`` (relative to
            ``data_root``), whose masks are their ``data_prefix``
            ``seg_map_path`` masks; or ``dict(folder=DIR)``:
            ``DIR/<stem>.png`` masks whose values ``DIR/classes.txt`` names
            (one class a line from value 0, background; 255 ignored).  An
            id (a mask) of an image the dataset does not hold is an error
            unless ``strict=False`` (for an ``ann_file`` that picks part
            of the split, e.g. STC's simple images).  Each image's info
            gets ``pixel_labelled``; the subset's also
            ``true_seg_map_path`` and ``true_label_map`` (value -> class
            index, applied after ``reduce_zero_label`` as MMSeg does).
            Routed pseudo masks, saliency and soft maps are then replaced
            by the true mask for them (and need not exist); with
            ``balance=True`` (default) a training dataloader draws the
            subset as often as the other images
            (:class:`~.samplers.PixelBalancedSampler`, chosen by
            :func:`mmwsss.apis.prepare_config`).
        candidate_sets: with a pixel-labelled subset, give each tags-only
            image the groups of classes its tags cannot split but the
            subset's masks can (``candidate_sets`` in its info,
            :func:`mmwsss.utils.labels.inseparable_class_groups`): the
            heads train those pixels on the set, so only true masks decide
            between its classes (MSRC-17's face and body).  No effect
            without a subset, or on a mask-free (classification) pipeline.
        masks_only: train on the pixel-labelled subset alone, on its true
            masks (the *masks-only* baseline that a semi-supervised run must
            beat): the data list holds the subset's images, repeated in
            turn to the length of the whole split, so that an epoch, and a
            recipe's schedule, has as many iterations as with every image.
            Nothing is routed; an error without a subset.  A dict
            ``dict(folds=K, held_out=F)`` trains on the subset less its
            fold ``F`` of ``K`` (:func:`~.pixel_labels.subset_fold`): a
            model tested on images it never saw; the list is shortened in
            proportion, so that each image is drawn as often as with the
            whole subset (and training costs that much less).
        **kwargs: everything :class:`mmseg.datasets.BaseSegDataset` takes.
    """

    def __init__(self,
                 label_cache_dir: Optional[str] = DEFAULT_CACHE_DIR,
                 pseudo_seg_map_path: Optional[str] = None,
                 saliency_map_path: Optional[str] = None,
                 soft_map_path: Optional[str] = None,
                 proposal_path: Optional[str] = None,
                 pixel_labels: Optional[dict] = None,
                 candidate_sets: bool = True,
                 masks_only: Union[bool, dict] = False,
                 **kwargs) -> None:
        self.label_cache_dir = label_cache_dir
        self.pseudo_seg_map_path = pseudo_seg_map_path
        self.saliency_map_path = saliency_map_path
        self.soft_map_path = soft_map_path
        self.proposal_path = proposal_path
        self.pixel_labels = parse_pixel_labels(pixel_labels,
                                               type(self).__name__)
        self.candidate_sets = candidate_sets
        self.masks_only = masks_only
        self.inseparable_groups: List[List[int]] = []
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
        self._mark_pixel_labelled(data_list)
        self._mark_candidate_sets(data_list)
        if self.masks_only:
            return self._masks_only_list(data_list)
        # (key, folder, suffix, what, whether the subset's true mask
        # replaces it); only the classifier's proposals serve every image
        routes = (('seg_map_path', self.pseudo_seg_map_path,
                   self.seg_map_suffix, 'pseudo mask', True),
                  ('saliency_path', self.saliency_map_path, '.png',
                   'saliency map', True),
                  ('soft_map_path', self.soft_map_path, '.npz',
                   'soft localization map', True),
                  ('proposal_path', self.proposal_path, '.npz',
                   'proposal file', False))
        for key, folder, suffix, what, replaced in routes:
            if folder is not None:
                self._route(data_list, key, folder, suffix, what, replaced)
        if self.pseudo_seg_map_path is not None:
            self._route_true_masks(data_list)
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
               suffix: str, what: str, replaced: bool = False) -> None:
        """Point every image's ``key`` at ``folder/<stem><suffix>``; a
        missing file is an error (an incomplete folder of pseudo masks or
        saliency maps must not train silently), except for pixel-labelled
        images when their true mask ``replaced`` the file."""
        folder = osp.join(self.data_root or '', folder)
        if not osp.isdir(folder):
            raise FileNotFoundError(
                f'{type(self).__name__}: {what} folder {folder} does not '
                'exist')
        needed = [info for info in data_list
                  if not (replaced and info['pixel_labelled'])]
        for info in data_list:
            info[key] = osp.join(folder, image_stem(info) + suffix)
        missing = [info[key] for info in needed if not osp.isfile(info[key])]
        if missing:
            raise FileNotFoundError(
                f'{type(self).__name__}: {len(missing)} of {len(needed)} '
                f'{what}s are missing in {folder} (first: {missing[0]})')

    # ---------------------------------------------------- pixel-labelled
    def _route_true_masks(self, data_list: List[dict]) -> None:
        """The subset trains on its true masks, never on pseudo (or
        PSL++) masks: point its ``seg_map_path`` at them, with their value
        map as the ``label_map`` that mask loaders apply."""
        for info in data_list:
            if info['pixel_labelled']:
                info['seg_map_path'] = info['true_seg_map_path']
                info['label_map'] = info['true_label_map']

    def _masks_only_list(self, data_list: List[dict]) -> List[dict]:
        """The subset on its true masks, cycled to ``len(data_list)``."""
        subset = [info for info in data_list if info['pixel_labelled']]
        length = len(data_list)
        if isinstance(self.masks_only, dict) and subset:
            fold = subset_fold(subset, **self.masks_only)
            # each image as often as when the whole subset trains
            length = max(1, round(length * len(fold) / len(subset)))
            subset = fold
        if not subset:
            raise ValueError(
                f'{type(self).__name__}: masks_only=True trains on the '
                'pixel-labelled subset, and none of the '
                f'{len(data_list)} images has a true mask (pixel_labels='
                f'{self.pixel_labels})')
        self._route_true_masks(subset)
        return [dict(subset[i % len(subset)]) for i in range(length)]

    def _mark_pixel_labelled(self, data_list: List[dict]) -> None:
        """Flag every image in or out of the pixel-labelled subset and
        check the subset's masks now (they are few; nothing is cached, so
        an edited mask is checked again at the next load)."""
        subset = self._pixel_label_masks(data_list)
        for info in data_list:
            true = subset.get(image_stem(info))
            info['pixel_labelled'] = true is not None
            if true is not None:
                info.update(true)
                check_true_mask(info, self.metainfo['classes'])

    def _mark_candidate_sets(self, data_list: List[dict]) -> None:
        """Give tags-only images the class sets only true masks split."""
        if not self.candidate_sets:
            return
        self.inseparable_groups = inseparable_class_groups(
            (info['img_labels'] for info in data_list),
            (info['img_labels'] for info in data_list
             if info['pixel_labelled']))
        for info in data_list:
            sets = [] if info["pixel_labelled"] else image_candidate_sets(
                info['img_labels'], self.inseparable_groups)
            if sets:
                info['candidate_sets'] = sets

    def _pixel_label_masks(self, data_list: List[dict]) -> Dict[str, dict]:
        """``{stem: dict(true_seg_map_path, true_label_map)}`` of the
        subset images that ``data_list`` holds."""
        cfg = self.pixel_labels
        if cfg is None:
            return {}
        infos = {image_stem(info): info for info in data_list}
        if cfg.get('ann_file'):
            return self._listed_masks(cfg, infos)
        folder = self._root_path(cfg['folder'])
        masks = mask_files(folder)
        label_map = self._folder_label_map(folder)
        if cfg['strict']:
            known = self._known_image_ids(data_list)
            unknown = [path for stem, path in masks.items()
                       if stem not in known]
            if unknown:
                raise ValueError(
                    f'{unknown[0]}: mask of an image the dataset does not '
                    f'hold ({self._images_source()}; {len(unknown)} such '
                    'masks); rename it to the stem of its image')
        return {stem: dict(true_seg_map_path=path, true_label_map=label_map)
                for stem, path in masks.items() if stem in infos}

    def _listed_masks(self, cfg: dict, infos: Dict[str, dict]
                      ) -> Dict[str, dict]:
        """The dataset masks of the images a list names."""
        path = self._root_path(cfg['ann_file'])
        ids = read_split(path)
        unknown = sorted(set(ids) - set(infos))
        if unknown and cfg['strict']:
            raise ValueError(
                f'{path}: {len(unknown)} image ids are not images of the '
                f'dataset ({self._images_source()}), e.g. {unknown[:3]}')
        subset = [infos[i] for i in ids if i in infos]
        if subset and 'seg_map_path' not in subset[0]:
            raise ValueError(
                f'{path}: pixel-labelled images need their masks, but '
                f'{type(self).__name__} has no data_prefix seg_map_path')
        return {image_stem(info): dict(true_seg_map_path=info['seg_map_path'],
                                       true_label_map=info.get('label_map'))
                for info in subset}

    def _folder_label_map(self, folder: str) -> Dict[int, int]:
        if self.reduce_zero_label:
            raise ValueError(
                f'{folder}: masks named by {CLASSES_FILE} hold background '
                f'as value 0, which reduce_zero_label would drop')
        return read_mask_classes(osp.join(folder, CLASSES_FILE),
                                 self.metainfo['classes'])

    def _known_image_ids(self, data_list: List[dict]) -> Set[str]:
        """Stems of every image the dataset knows, even outside this
        split (a mask of one of them is no typo); default: the split's."""
        return {image_stem(info) for info in data_list}

    def _images_source(self) -> str:
        """Where the dataset's images are listed, for error messages."""
        return f'ann_file={self.ann_file!r}, img_path={self.data_prefix}'

    def _root_path(self, path: str) -> str:
        return path if osp.isabs(path) else osp.join(self.data_root or '',
                                                     path)

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
