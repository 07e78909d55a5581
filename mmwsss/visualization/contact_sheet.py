"""A contact sheet: a grid of images, each beside its saliency map (what
STC's simple images look like to the split rules)."""
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np

from mmwsss.utils.io import image_stem, read_grey_map, read_image
from .cam_visualization import save_png

TILE_HEIGHT = 96
#: STC's sheet of its simple images, in the split's folder
SIMPLE_SHEET = 'simple_sheet.png'


def _tile(img: np.ndarray) -> np.ndarray:
    scale = TILE_HEIGHT / img.shape[0]
    width = max(1, round(img.shape[1] * scale))
    return cv2.resize(img, (width, TILE_HEIGHT),
                      interpolation=cv2.INTER_AREA)


def write_contact_sheet(path: str, dataset, stems: Sequence[str],
                        saliency_dir: Optional[str] = None,
                        columns: int = 4) -> None:
    """One PNG: for each image of ``stems`` (in ``dataset``), the image and
    (with ``saliency_dir``) its saliency map, ``columns`` pairs a row."""
    paths = {image_stem(dataset.get_data_info(i)):
             dataset.get_data_info(i)['img_path']
             for i in range(len(dataset))}
    cells = []
    for stem in stems:
        parts = [_tile(read_image(paths[stem], 'rgb'))]
        if saliency_dir:
            grey = read_grey_map(osp.join(saliency_dir, stem + '.png'))
            parts.append(_tile(np.repeat((grey * 255).astype(np.uint8)[
                ..., None], 3, axis=2)))
        cells.append(np.concatenate(parts, axis=1))
    if not cells:
        cells = [np.full((TILE_HEIGHT, TILE_HEIGHT, 3), 255, np.uint8)]
    width = max(cell.shape[1] for cell in cells)
    cells = [np.pad(c, ((0, 4), (0, width - c.shape[1] + 4), (0, 0)),
                    constant_values=255) for c in cells]
    blank = np.full_like(cells[0], 255)
    cells += [blank] * (-len(cells) % columns)
    rows = [np.concatenate(cells[i:i + columns], axis=1)
            for i in range(0, len(cells), columns)]
    save_png(path, np.concatenate(rows, axis=0))


def write_simple_sheet(out_dir: str, dataset, simple: Sequence[str],
                       saliency_dir: Optional[str] = None,
                       count: int = 24) -> str:
    """``out_dir/simple_sheet.png``: the first ``count`` of STC's
    ``simple`` images beside their saliency, for a look at what the split
    rules chose; returns its path.  The split's stage or tool calls it
    after writing the lists (the split itself draws nothing)."""
    path = osp.join(out_dir, SIMPLE_SHEET)
    write_contact_sheet(path, dataset, simple[:count], saliency_dir)
    return path
