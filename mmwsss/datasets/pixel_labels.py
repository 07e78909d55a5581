"""The pixel-labelled subset of a weakly labelled dataset: its true masks.

Users often have a few images with pixel masks and many with tags only.
A dataset names the few through its ``pixel_labels`` argument
(:class:`~mmwsss.datasets.ImageLabelSegDataset`); this module reads and
checks their masks.  The weak-supervision rule stays: training may read
the true masks of these images only, so :func:`read_true_mask` refuses
any other image, and the dataset points only these images at their masks.

Two layouts:

* VOC layout, ``dict(ann_file='ImageSets/Segmentation/train_pixel.txt')``:
  the listed images' masks are the dataset's own (``data_prefix``'s
  ``seg_map_path``), in its class indices.
* own data, ``dict(folder='masks')``: ``masks/<stem>.png`` (palette or grey,
  one value per pixel) for some images, and ``masks/classes.txt`` naming
  the class of each value, one a line from value 0 (background); 255 is
  ignored.  Values are remapped to the dataset's class indices through
  the per-image ``label_map`` that MMSeg's ``LoadAnnotations`` and
  :class:`LoadCheckedAnnotations` apply.

Masks are read and checked when the dataset loads (they are few): values
outside the class list, a size other than the image's, and classes that
disagree with the image's tags are errors naming the mask file.
"""
import io
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from mmwsss.utils.io import IGNORE_INDEX, image_size, read_mask

CLASSES_FILE = 'classes.txt'
FORMS = ('ann_file', 'folder')
#: lossy formats that cannot hold class values exactly
LOSSY_SUFFIXES = ('.jpg', '.jpeg', '.webp')


def parse_pixel_labels(cfg: Optional[dict], owner: str) -> Optional[dict]:
    """``pixel_labels`` with its defaults (``strict=True``), or ``None``;
    an unknown key, or not exactly one of ``ann_file`` / ``folder``, is an
    error naming ``owner`` (the dataset class)."""
    if cfg is None:
        return None
    if not isinstance(cfg, dict):
        raise TypeError(f'{owner}: pixel_labels must be a dict with ann_file '
                        f'or folder (or None), got {cfg!r}')
    unknown = sorted(set(cfg) - set(FORMS) - {'strict', 'balance'})
    forms = [key for key in FORMS if cfg.get(key)]
    if unknown or len(forms) != 1:
        raise ValueError(
            f'{owner}: pixel_labels={cfg!r} must name exactly one of '
            f'ann_file (a list of image ids whose dataset masks are true) '
            f'or folder (<stem>.png masks + {CLASSES_FILE}), plus an '
            f'optional strict and balance' + (f'; unknown keys {unknown}'
                                              if unknown else ''))
    return dict(cfg, strict=bool(cfg.get('strict', True)),
                balance=bool(cfg.get('balance', True)))


def remap_mask(mask: np.ndarray, reduce_zero_label: bool = False,
               label_map: Optional[Dict[int, int]] = None) -> np.ndarray:
    """``uint8`` mask in dataset class indices, as MMSeg's
    ``LoadAnnotations`` makes it: ``reduce_zero_label`` first, then
    ``label_map`` (old value -> new value; values it does not name stay)."""
    mask = np.asarray(mask).astype(np.uint8)
    if reduce_zero_label:
        mask[mask == 0] = 255
        mask = mask - 1
        mask[mask == 254] = 255
    if label_map:
        remapped = mask.copy()
        for old, new in label_map.items():
            remapped[mask == old] = new
        mask = remapped
    return mask


def read_true_mask(info: dict) -> np.ndarray:
    """The true mask of a pixel-labelled image (``uint8``, dataset class
    indices, 255 ignored).  Any other image is refused: its mask is for
    evaluation only, and training code must not read it."""
    if not info.get('pixel_labelled'):
        raise ValueError(
            f'{info.get("img_path")}: not in the pixel-labelled subset; '
            'training may read only the true masks of that subset')
    mask = read_mask(info['true_seg_map_path'])
    return remap_mask(mask, info.get('reduce_zero_label', False),
                      info.get('true_label_map'))


def pixel_labelled_infos(dataset) -> List[dict]:
    """Data infos of a built dataset's pixel-labelled images (those with
    ``pixel_labelled=True``), in dataset order."""
    infos = (dataset.get_data_info(i) for i in range(len(dataset)))
    return [info for info in infos if info.get('pixel_labelled')]


def subset_fold(items: Sequence, folds: int, held_out: int,
                take: str = 'train') -> list:
    """One side of a ``folds``-fold split of the pixel-labelled subset
    (``items`` in dataset order): the held-out fold is every ``folds``-th
    item from position ``held_out``; ``take='train'`` gives the others.
    A subset smaller than ``folds`` holds nothing out (too few to test
    anything on): its training side is the whole subset."""
    if not isinstance(folds, int) or folds < 2 or \
            not 0 <= held_out < folds:
        raise ValueError(f'folds={folds!r}, held_out={held_out!r}: need '
                         'folds >= 2 and 0 <= held_out < folds')
    if take not in ('train', 'held_out'):
        raise ValueError(f"take must be 'train' or 'held_out', got {take!r}")
    held = (lambda i: False) if len(items) < folds else \
        (lambda i: i % folds == held_out)
    return [item for i, item in enumerate(items)
            if held(i) == (take == 'held_out')]


def read_mask_classes(path: str, classes: Sequence[str]) -> Dict[int, int]:
    """``label_map`` (mask value -> dataset class index) of a
    ``classes.txt``: the first line names value 0, background (whatever
    its name, unless it names a foreground class), the next value 1, ....
    A missing file, a blank line among the names, a name given twice, and
    a name that is not a class of the dataset are errors naming the file
    (and line)."""
    names = _class_names(path)
    label_map = {0: 0}
    if names[0].lower() != 'background' and \
            _class_index(names[0], classes) not in (None, 0):
        raise ValueError(f'{path}:1: the first line names value 0, which '
                         f'is background, but says {names[0]!r}')
    for value, name in enumerate(names[1:], 1):
        index = _class_index(name, classes)
        if index is None or index == 0:
            raise ValueError(
                f'{path}:{value + 1}: {name!r} (value {value}) is not a '
                f'class of the dataset (no tag of its labels uses it); '
                f'classes: {list(classes[1:])}')
        label_map[value] = index
    return label_map


def _class_names(path: str) -> List[str]:
    """The names of a classes file, one a line (UTF-8, BOM dropped)."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} does not exist: a folder of masks needs it to say '
            'which class each mask value is (one name a line from value 0, '
            'background)')
    with open(path, 'rb') as handle:
        try:
            text = handle.read().decode('utf-8-sig')
        except UnicodeDecodeError:
            raise ValueError(f'{path}: not UTF-8 (re-save it as UTF-8)') \
                from None
    names = [line.strip() for line in io.StringIO(text, newline=None)]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise ValueError(f'{path} is empty: it must name the class of '
                         'every mask value, background first')
    for line_no, name in enumerate(names, 1):
        if not name:
            raise ValueError(f'{path}:{line_no}: blank line; line n names '
                             'mask value n-1, so no line may be empty')
        if names.index(name) != line_no - 1:
            raise ValueError(f'{path}:{line_no}: {name!r} already names '
                             f'value {names.index(name)}')
    if len(names) > IGNORE_INDEX:
        raise ValueError(f'{path}: {len(names)} classes; mask values stop '
                         f'below {IGNORE_INDEX} (ignored)')
    return names


def _class_index(name: str, classes: Sequence[str]) -> Optional[int]:
    """Index of ``name`` in ``classes`` as labels files match tags:
    exactly (``_`` for a space), else ignoring case if one class fits."""
    spelled = [c.replace(' ', '_') for c in classes]
    name = name.replace(' ', '_')
    if name in spelled:
        return spelled.index(name)
    folded = [i for i, c in enumerate(spelled) if c.lower() == name.lower()]
    return folded[0] if len(folded) == 1 else None


def mask_files(folder: str) -> Dict[str, str]:
    """``{stem: path}`` of the PNG masks of ``folder`` (other files, such
    as ``classes.txt``, are skipped; a JPEG mask is an error: lossy
    compression changes the values at every edge)."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'mask folder {folder} does not exist')
    found = {}
    for name in sorted(os.listdir(folder)):
        stem, suffix = osp.splitext(name)
        if suffix.lower() in LOSSY_SUFFIXES:
            raise ValueError(f'{osp.join(folder, name)}: masks must be PNG '
                             '(lossy compression changes class values)')
        if suffix.lower() == '.png':
            found[stem] = osp.join(folder, name)
    return found


def check_true_mask(info: dict, classes: Sequence[str]) -> None:
    """Check a pixel-labelled image's mask against its image and tags:
    values that are no class (nor 255), another size than the image's
    (as decoded, EXIF included), a class its tags do not list, or a
    tagged class it does not hold are errors naming the mask file."""
    path = info['true_seg_map_path']
    raw = read_mask(path)
    _check_values(raw, info, len(classes), path)
    size = tuple(image_size(info['img_path']))
    if tuple(raw.shape) != size:
        raise ValueError(f'{path}: mask size {tuple(raw.shape)} differs from '
                         f'image {info["img_path"]} size {size}')
    mask = remap_mask(raw, info.get('reduce_zero_label', False),
                      info.get('true_label_map'))
    present = {int(v) for v in np.unique(mask) if 0 < v < len(classes)}
    tags = set(info['img_labels'])
    for found, what in ((present - tags, 'holds {} that the image\'s tags '
                         'do not list'),
                        (tags - present, 'lacks tagged {}')):
        if found:
            names = [classes[c] for c in sorted(found)]
            raise ValueError(
                f'{path}: mask {what.format(names)} (tags of '
                f'{osp.basename(info["img_path"])}: '
                f'{[classes[c] for c in sorted(tags)]}); fix the mask or '
                'the tags')


def _check_values(raw: np.ndarray, info: dict, num_classes: int,
                  path: str) -> None:
    """Values (after ``reduce_zero_label``) that the ``true_label_map``
    does not name, or without one are not below ``num_classes``, are not
    classes: an error naming the file, before they index past logits."""
    values = np.unique(remap_mask(raw, info.get('reduce_zero_label', False)))
    label_map = info.get('true_label_map')
    if label_map:
        bad = [int(v) for v in values
               if v != IGNORE_INDEX and int(v) not in label_map]
        allowed = f'the {len(label_map)} values its class list names'
    else:
        bad = [int(v) for v in values
               if v != IGNORE_INDEX and v >= num_classes]
        allowed = f'[0, {num_classes})'
    if bad:
        raise ValueError(f'{path}: mask values {bad} are not classes: '
                         f'{allowed}, or {IGNORE_INDEX} (ignored)')
