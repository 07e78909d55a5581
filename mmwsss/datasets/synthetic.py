"""Deterministic synthetic WSSS data, generated in code (the embedded demo).

Each object is a class-specific *shape* filled with a texture that all
classes share, carrying a small class-specific coloured *mark*.  The mark is
the easiest evidence for a classifier, so plain CAMs fire on it and miss most
of the body: the situation adversarial erasing is designed for (erase the
mark, and only the shape is left to learn).  Backgrounds are textured
(stripes + noise) in *complex* images and near-flat in *simple* ones, which
hold a single object; complex ones hold 2-3 objects of 1-3 classes (STC needs
both kinds).  A few images are background only.

The output is a VOC-style folder (JPEGImages, SegmentationClass as palette
PNGs, ImageSets/Segmentation/{train,val}.txt, classes.json, and
``simple.txt`` listing the simple training images), so every dataset class
and tool treats it exactly like real data.
"""
import json
import os.path as osp
from typing import List, Tuple

import numpy as np
from PIL import Image

from mmwsss.registry import DATASETS
from mmwsss.utils.io import atomic_write
from .image_label_dataset import ImageLabelSegDataset, voc_palette

SYNTHETIC_CLASSES = ('background', 'disc', 'box', 'wedge', 'ring')
MARK_COLOURS = ((230, 30, 30), (30, 200, 40), (40, 60, 230), (235, 220, 20))
DONE_MARKER = '.complete'


def _shape_mask(cls: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Boolean ``size x size`` silhouette of a class's body."""
    yy, xx = np.mgrid[:size, :size] + 0.5
    c = size / 2
    r = size / 2 - 0.5
    if cls == 1:  # disc
        return (yy - c) ** 2 + (xx - c) ** 2 <= r ** 2
    if cls == 2:  # box (slightly rectangular)
        margin = int(rng.integers(0, size // 6 + 1))
        return (yy >= margin) & (yy <= size - margin)
    if cls == 3:  # wedge: triangle pointing up
        return (yy >= 1) & (np.abs(xx - c) <= yy / 2)
    # ring: thick annulus
    d2 = (yy - c) ** 2 + (xx - c) ** 2
    return (d2 <= r ** 2) & (d2 >= (0.45 * r) ** 2)


def _body_texture(size: int, rng: np.random.Generator) -> np.ndarray:
    """The texture every class shares: tan base with dark speckles."""
    base = np.array([170, 130, 90], np.float32)
    tex = base + rng.normal(0, 18, (size, size, 1)).astype(np.float32)
    speckle = rng.random((size, size)) < 0.08
    tex[speckle] = (90, 60, 40)
    return np.broadcast_to(tex, (size, size, 3)).copy()


def _background(h: int, w: int, textured: bool,
                rng: np.random.Generator) -> np.ndarray:
    colour = rng.uniform(60, 200, 3).astype(np.float32)
    img = np.broadcast_to(colour, (h, w, 3)).copy()
    if textured:
        yy, xx = np.mgrid[:h, :w]
        angle = rng.uniform(0, np.pi)
        period = rng.uniform(5, 12)
        phase = np.cos(angle) * xx + np.sin(angle) * yy
        stripes = (np.sin(2 * np.pi * phase / period) > 0)[..., None]
        img += stripes * rng.uniform(-60, 60, 3).astype(np.float32)
        img += rng.normal(0, 14, (h, w, 3)).astype(np.float32)
    else:
        img += rng.normal(0, 4, (h, w, 3)).astype(np.float32)
    return img


def _paste_object(img: np.ndarray, mask: np.ndarray, cls: int,
                  rng: np.random.Generator, occupied: np.ndarray) -> bool:
    h, w = mask.shape
    size = int(rng.integers(h // 3, h // 2 + 1))
    for _ in range(20):
        top = int(rng.integers(0, h - size + 1))
        left = int(rng.integers(0, w - size + 1))
        window = (slice(top, top + size), slice(left, left + size))
        if not occupied[window].any():
            break
    else:
        return False
    body = _shape_mask(cls, size, rng)
    tex = _body_texture(size, rng)
    # class-specific mark: a small square somewhere inside the body
    # (shrunk for bodies too thin to hold the default size)
    mark, inside = max(4, size // 5) + 1, []
    ys, xs = np.nonzero(body)
    while not inside and mark > 1:
        mark -= 1
        inside = [(y, x) for y, x in zip(ys, xs)
                  if y + mark <= size and x + mark <= size
                  and body[y:y + mark, x:x + mark].all()]
    if not inside:
        return False  # body of a few pixels: skip this object
    y0, x0 = inside[int(rng.integers(len(inside)))]
    tex[y0:y0 + mark, x0:x0 + mark] = MARK_COLOURS[cls - 1]
    region = img[window]
    region[body] = tex[body]
    mask[window][body] = cls
    occupied[window] = True
    return True


def render_image(rng: np.random.Generator, size: int,
                 kind: str) -> Tuple[np.ndarray, np.ndarray]:
    """One image and its mask; ``kind`` is simple, complex or empty."""
    num_fg = len(SYNTHETIC_CLASSES) - 1
    img = _background(size, size, textured=kind != 'simple', rng=rng)
    mask = np.zeros((size, size), np.uint8)
    occupied = np.zeros((size, size), bool)
    if kind == 'simple':
        classes = [int(rng.integers(1, num_fg + 1))]
    elif kind == 'complex':
        count = int(rng.integers(2, 4))
        classes = [int(c) for c in rng.integers(1, num_fg + 1, count)]
    else:
        classes = []
    for cls in classes:
        _paste_object(img, mask, cls, rng, occupied)
    return np.clip(img, 0, 255).astype(np.uint8), mask


def generate_synthetic_dataset(root: str,
                               num_train: int = 400,
                               num_val: int = 80,
                               image_size: int = 96,
                               seed: int = 0) -> str:
    """Write the dataset to ``root`` unless it is already complete.

    The same arguments always give byte-identical files.  Files are written
    atomically and a marker is written last, so an interrupted generation is
    simply redone.
    """
    marker = osp.join(root, DONE_MARKER)
    signature = json.dumps(
        dict(num_train=num_train, num_val=num_val, size=image_size,
             seed=seed))
    if osp.isfile(marker) and open(marker).read() == signature:
        return root
    rng = np.random.default_rng(seed)
    palette = np.array(voc_palette(256), np.uint8).reshape(-1)
    splits = {'train': [], 'val': []}
    simple_ids: List[str] = []
    for index in range(num_train + num_val):
        split = 'train' if index < num_train else 'val'
        kind = ('empty' if index % 20 == 19 else
                'simple' if index % 2 == 0 else 'complex')
        img, mask = render_image(rng, image_size, kind)
        name = f'{split}_{index:05d}'
        splits[split].append(name)
        if kind == 'simple' and split == 'train':
            simple_ids.append(name)
        _write_image(osp.join(root, 'JPEGImages', name + '.jpg'), img)
        _write_mask(
            osp.join(root, 'SegmentationClass', name + '.png'), mask, palette)
    lists = dict(splits, simple=simple_ids)
    for split, names in lists.items():
        with atomic_write(
                osp.join(root, 'ImageSets', 'Segmentation', split + '.txt'),
                'w') as handle:
            handle.write('\n'.join(names) + '\n')
    with atomic_write(osp.join(root, 'classes.json'), 'w') as handle:
        json.dump(list(SYNTHETIC_CLASSES), handle)
    with atomic_write(marker, 'w') as handle:
        handle.write(signature)
    return root


def _write_image(path: str, img: np.ndarray) -> None:
    with atomic_write(path) as handle:
        Image.fromarray(img).save(handle, format='JPEG', quality=95)


def _write_mask(path: str, mask: np.ndarray, palette: np.ndarray) -> None:
    png = Image.fromarray(mask, mode='P')
    png.putpalette(palette.tolist())
    with atomic_write(path) as handle:
        png.save(handle, format='PNG')


@DATASETS.register_module()
class SyntheticWSSSDataset(ImageLabelSegDataset):
    """The synthetic demo data; generated into ``data_root`` on first use.

    Args:
        generate: create the files when ``data_root`` lacks them.
        num_train, num_val, image_size, seed: generation parameters.
    """
    METAINFO = dict(
        classes=SYNTHETIC_CLASSES, palette=voc_palette(len(SYNTHETIC_CLASSES)))

    def __init__(self,
                 data_root: str,
                 generate: bool = True,
                 num_train: int = 400,
                 num_val: int = 80,
                 image_size: int = 96,
                 seed: int = 0,
                 **kwargs) -> None:
        if generate:
            generate_synthetic_dataset(data_root, num_train, num_val,
                                       image_size, seed)
        super().__init__(
            data_root=data_root,
            img_suffix='.jpg',
            seg_map_suffix='.png',
            **kwargs)
