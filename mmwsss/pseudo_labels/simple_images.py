"""Step (STC): choose the simple images.

STC (simple to complex) starts from images a saliency map explains: one
object of one class on a clean background (the top results of a web image
search).  An image is *simple* when

* it has exactly one labelled class;
* its salient region (saliency >= ``salient_threshold``, 0.5: the
  salient-object model's own decision boundary) covers between
  ``min_area`` (5%) and ``max_area`` (70%) of it: an object, neither a
  speck nor the whole frame;
* the rest is quiet: mean saliency outside that region <= ``max_outside``
  (0.1);
* the region is compact: its largest connected part holds at least
  ``min_compactness`` (80%) of it, one object rather than scattered
  clutter.

The thresholds are fixed a priori, the same for every dataset.  The other
labelled images are *complex*.  An image whose saliency map is empty
(nothing salient at all) cannot be simple: it is reported and left to the
complex set.
"""
import os
import os.path as osp
from collections import Counter
from typing import Dict, List, Optional

import cv2
import numpy as np

from mmwsss.utils.io import atomic_write, image_stem, read_grey_map

SIMPLE_RULES = dict(salient_threshold=0.5, min_area=0.05, max_area=0.7,
                    max_outside=0.1, min_compactness=0.8)


def saliency_cleanliness(saliency: np.ndarray,
                         salient_threshold: float = 0.5) -> Dict[str, float]:
    """How clean a saliency map is: the salient ``area`` (fraction of the
    image), the mean saliency ``outside`` it, and its ``compactness`` (the
    largest connected part's share of it)."""
    salient = saliency >= salient_threshold
    area = float(salient.mean())
    outside = float(saliency[~salient].mean()) if (~salient).any() else 0.0
    compactness = 0.0
    if salient.any():
        count, _, stats, _ = cv2.connectedComponentsWithStats(
            salient.astype(np.uint8), connectivity=8)
        sizes = stats[1:count, cv2.CC_STAT_AREA]
        compactness = float(sizes.max() / sizes.sum())
    return dict(area=area, outside=outside, compactness=compactness)


def simple_image_failures(labels, saliency: np.ndarray,
                          rules: Dict[str, float]) -> List[str]:
    """The rules an image breaks (none: it is simple)."""
    if len(labels) != 1:
        return ['one_class']
    if float(saliency.max()) <= 0:
        return ['empty_saliency']
    score = saliency_cleanliness(saliency, rules['salient_threshold'])
    failures = []
    if not rules['min_area'] <= score['area'] <= rules['max_area']:
        failures.append('area')
    if score['outside'] > rules['max_outside']:
        failures.append('outside')
    if score['compactness'] < rules['min_compactness']:
        failures.append('compactness')
    return failures


def split_simple_complex(dataset, saliency_dir: str,
                         rules: Optional[Dict[str, float]] = None) -> Dict:
    """Split a dataset's images into simple and complex ones.

    Returns ``dict(simple=[stems], complex=[stems], failures=Counter of
    the rules broken, empty_saliency=[stems])``; raises a ``ValueError``
    with the count per rule when no image is simple."""
    rules = dict(SIMPLE_RULES, **(rules or {}))
    simple, complex_, failures, empty = [], [], Counter(), []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        stem = image_stem(info)
        saliency = read_grey_map(f'{saliency_dir}/{stem}.png')
        broken = simple_image_failures(info['img_labels'], saliency, rules)
        failures.update(broken)
        if 'empty_saliency' in broken:
            empty.append(stem)
        (complex_ if broken else simple).append(stem)
    if not simple:
        raise ValueError(
            f'no image of {len(dataset)} passes the simple-image rules '
            f'{rules}; images failing each rule: {dict(failures)} (give an '
            'explicit list or a folder of simple images instead)')
    return dict(simple=simple, complex=complex_, failures=failures,
                empty_saliency=empty)


def split_by_list(dataset, simple_list: str) -> Dict:
    """The split an explicit list of simple image ids gives (first word of
    every line, ``#`` comments skipped: an image-id list or a labels file;
    ids the dataset does not hold are an error naming the file)."""
    with open(simple_list) as handle:
        wanted = {line.split()[0] for line in handle
                  if line.strip() and not line.startswith('#')}
    stems = [image_stem(dataset.get_data_info(i))
             for i in range(len(dataset))]
    unknown = sorted(wanted - set(stems))
    if unknown:
        raise ValueError(f'{simple_list}: {len(unknown)} ids are not images '
                         f'of the dataset, e.g. {unknown[:3]}')
    return dict(simple=[s for s in stems if s in wanted],
                complex=[s for s in stems if s not in wanted])


def write_split(split: Dict, out_dir: str) -> Dict[str, str]:
    """Write ``simple.txt`` and ``complex.txt`` (one image id a line) into
    ``out_dir``, each atomically; returns their paths.  The sheet of the
    simple images is drawn by the caller
    (:func:`mmwsss.visualization.write_simple_sheet`): pictures sit above
    the pseudo-label steps."""
    os.makedirs(out_dir, exist_ok=True)
    paths = {key: osp.join(out_dir, f'{key}.txt')
             for key in ('simple', 'complex')}
    for key, path in paths.items():
        with atomic_write(path, 'w') as handle:
            handle.write(''.join(f'{stem}\n' for stem in split[key]))
    return paths
