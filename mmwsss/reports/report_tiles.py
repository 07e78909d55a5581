"""The thumbnails of the HTML report: one training image and what every
step made of it (CAM, erasing steps, saliency, each rung's mask, the
ground truth), each a small PNG held in the page itself (a ``data:`` URI),
so the page is one file that opens anywhere.

Thumbnails, not the full files: a page of a few images opens at once from
disk, and the tiles of one image share one height so the row reads left
to right.  A file that cannot be read becomes a tile that says so (naming
the file) instead of stopping the report: a report is most wanted when
something went wrong.
"""
import base64
import io
import os.path as osp
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence

import cv2
import numpy as np
from PIL import Image

from mmwsss.utils.io import (IGNORE_INDEX, load_cam_file, load_regions_file,
                             read_grey_map, read_image, read_mask)
from mmwsss.utils.regions import fuse_regions
from mmwsss.visualization.cam_visualization import colourise_mask, heatmap

TILE_HEIGHT = 128
#: errors a damaged or missing per-image file raises
READ_ERRORS = (OSError, ValueError, KeyError)


@dataclass
class Tile:
    """One thumbnail of a sample row: its PNG as a ``data:`` URI (``None``
    when it could not be drawn) and its caption."""
    caption: str
    file: Optional[str] = None
    note: str = ''
    kind: str = 'image'


def thumbnail(rgb: np.ndarray, nearest: bool = False) -> np.ndarray:
    """``rgb`` at :data:`TILE_HEIGHT` (nearest neighbour keeps masks'
    colours exact)."""
    scale = TILE_HEIGHT / rgb.shape[0]
    width = max(1, round(rgb.shape[1] * scale))
    mode = cv2.INTER_NEAREST if nearest else (
        cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    return cv2.resize(rgb, (width, TILE_HEIGHT), interpolation=mode)


def png_data_uri(rgb: np.ndarray) -> str:
    """``rgb`` as a ``data:image/png;base64,...`` URI for an ``<img>``."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format='PNG')
    return 'data:image/png;base64,' + base64.b64encode(
        buffer.getvalue()).decode('ascii')


def blend(img: np.ndarray, overlay: np.ndarray,
          alpha: float = 0.5) -> np.ndarray:
    return ((1 - alpha) * img + alpha * overlay).astype(np.uint8)


def tint(img: np.ndarray, region: np.ndarray, colour=(230, 30, 30)):
    """``img`` with ``region`` (bool) tinted, the rest dimmed."""
    out = (0.55 * img).astype(np.uint8)
    out[region] = (0.35 * img[region] + 0.65 * np.asarray(colour)).astype(
        np.uint8)
    return out


def image_miou(pred: np.ndarray, gt: np.ndarray) -> Optional[float]:
    """Mean IoU of one mask against its ground truth, over the classes
    either holds (ignored ground truth left out, an ignored prediction a
    miss); ``None`` when the sizes differ or nothing is labelled."""
    if pred.shape != gt.shape:
        return None
    valid = gt != IGNORE_INDEX
    classes = set(np.unique(gt[valid])) | (
        set(np.unique(pred[valid])) - {IGNORE_INDEX})
    ious = []
    for cls in classes:
        inter = np.sum((pred == cls) & (gt == cls))
        union = np.sum(((pred == cls) | (gt == cls)) & valid)
        ious.append(inter / union if union else 0.0)
    return 100 * float(np.mean(ious)) if ious else None


class SampleRow:
    """The tiles of one sample image, ``stem``.  Add the ground truth
    first (``load_gt``): the masks' captions score against it; ``add_gt``
    draws it last."""

    def __init__(self, stem: str, palette: Sequence,
                 names: Sequence[str]) -> None:
        self.stem = stem
        self.palette, self.names = palette, names
        self.tiles: List[Tile] = []
        self.img: Optional[np.ndarray] = None
        self.gt: Optional[np.ndarray] = None
        self.gt_path: Optional[str] = None
        self._pending: list = []

    def _save(self, rgb: np.ndarray, caption: str, nearest: bool = False,
              note: str = '', kind: str = 'image') -> None:
        self._pending.append((len(self.tiles), thumbnail(rgb, nearest)))
        self.tiles.append(Tile(caption, None, note, kind))

    def _try(self, caption: str, path: str, draw: Callable) -> None:
        if not osp.isfile(path):
            self.tiles.append(Tile(caption, None, 'not written', 'missing'))
            return
        start = len(self.tiles)
        try:
            draw()
        except READ_ERRORS as exc:  # reading only: writes come after
            del self.tiles[start:]
            self._pending.clear()
            message = str(exc) if path in str(exc) else f'{path}: {exc}'
            self.tiles.append(Tile(caption, None, message, 'missing'))
            return
        for index, rgb in self._pending:  # encoded once all were read
            self.tiles[index].file = png_data_uri(rgb)
        self._pending.clear()

    def _base(self, shape) -> np.ndarray:
        """The photo, or a grey canvas of ``shape`` without one."""
        if self.img is not None:
            return self.img
        return np.full(tuple(shape[:2]) + (3, ), 160, np.uint8)

    def add_image(self, path: Optional[str], note: str = '') -> None:
        if path is None:
            return
        self._try('image', path, lambda: self._image(path, note))

    def _image(self, path: str, note: str) -> None:
        self.img = read_image(path, 'rgb')
        self._save(self.img, 'image', note=note)

    def add_cams(self, stage: str, path: str) -> None:
        self._try('CAM', path, lambda: self._cams(stage, path))

    def _cams(self, stage: str, path: str) -> None:
        data = load_cam_file(path)
        cams, labels = data['cams'], data['labels']
        base = self._base(cams.shape[1:])
        if len(cams) == 0:
            self._save(base, 'CAM', note=f'no classes ({stage})')
            return
        cam = cv2.resize(cams.max(axis=0), base.shape[1::-1])
        named = ', '.join(self.names[i] if i < len(self.names) else
                          f'class {i}' for i in labels)
        self._save(blend(base, heatmap(cam)), 'CAM',
                   note=f'max over {named} ({stage})')

    def add_regions(self, stage: str, path: str) -> None:
        self._try('erasing steps', path, lambda: self._regions(stage, path))

    def _regions(self, stage: str, path: str) -> None:
        regions = load_regions_file(path)['regions']
        base = self._base(self._shape())
        for step in range(len(regions)):
            mined = fuse_regions(regions[step:step + 1], 1,
                                 base.shape[:2]).any(axis=0)
            self._save(tint(base, mined), f'erasing step {step + 1}',
                       note=f'region mined ({stage})')

    def add_map(self, stage: str, path: str) -> None:
        self._try(f'{stage} map', path, lambda: self._map(stage, path))

    def _map(self, stage: str, path: str) -> None:
        grey = (read_grey_map(path) * 255).astype(np.uint8)
        self._save(np.repeat(grey[..., None], 3, axis=2), f'{stage} map')

    def load_gt(self, path: Optional[str]) -> None:
        """Read the ground truth (kept for the masks' scores); a missing
        or damaged file leaves it ``None`` and ``add_gt`` says why."""
        self.gt_path = path
        try:
            self.gt = read_mask(path).astype(np.uint8) if path else None
        except READ_ERRORS:
            self.gt = None

    def add_gt(self) -> None:
        if self.gt_path is not None:
            self._try('ground truth', self.gt_path, self._gt)

    def _gt(self) -> None:
        if self.gt is None:  # unreadable: read again for its error
            read_mask(self.gt_path)
        self._save(colourise_mask(self.gt, self.palette), 'ground truth',
                   nearest=True, note='evaluation only', kind='mask')

    def add_mask(self, stage: str, path: str) -> None:
        self._try(stage, path, lambda: self._mask(stage, path))

    def _mask(self, stage: str, path: str) -> None:
        mask = read_mask(path).astype(np.uint8)
        score = image_miou(mask, self.gt) if self.gt is not None else None
        note = f'mIoU {score:.0f} on this image' if score is not None else ''
        self._save(colourise_mask(mask, self.palette), stage, nearest=True,
                   note=note, kind='mask')

    def _shape(self):
        if self.img is not None:
            return self.img.shape
        if self.gt is not None:
            return self.gt.shape
        return (TILE_HEIGHT, TILE_HEIGHT)
