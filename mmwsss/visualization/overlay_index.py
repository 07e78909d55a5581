"""``index.html`` of a ``tools/infer.py`` output folder: every overlay on
one page, with the classes found in its mask and a link to the mask.

A folder of hundreds of JPEGs is read one file at a time; a page shows
them all at a glance.  It lists what the folder holds (earlier runs into
the same folder included), names the model (``model.json``) and the
images skipped as unreadable, and opens from disk: relative links, inline
CSS, lazy-loaded images, no script.
"""
import json
import os
import os.path as osp
from html import escape
from typing import List, Optional, Sequence
from urllib.parse import quote

import numpy as np
from PIL import Image

from mmwsss.utils.io import IGNORE_INDEX, atomic_write, read_mask
from .html_page import page

INDEX_FILE = 'index.html'
_CSS = ('<style>.grid{display:flex;flex-wrap:wrap;gap:10px}'
        '.grid img{height:180px;display:block;border:1px solid #ccc}'
        '.grid figcaption{font-size:12px;max-width:260px}</style>')


def _classes(out_dir: str) -> List[str]:
    path = osp.join(out_dir, 'classes.txt')
    if not osp.isfile(path):
        return []
    with open(path) as handle:
        return [line.strip() for line in handle if line.strip()]


def _model(out_dir: str) -> str:
    path = osp.join(out_dir, 'model.json')
    try:
        with open(path) as handle:
            return str(json.load(handle).get('checkpoint', ''))
    except (OSError, ValueError, AttributeError):
        return ''


def _palette(mask_path: str, count: int) -> Optional[List[List[int]]]:
    """The palette a mask PNG was written with (the model's colours)."""
    try:
        with Image.open(mask_path) as image:
            flat = image.getpalette()
    except OSError:
        return None
    if not flat or len(flat) < 3 * count:
        return None
    return [flat[3 * i:3 * i + 3] for i in range(count)]


def _found(mask_path: str, names: Sequence[str]) -> str:
    """The object classes in a mask, or why they are not shown."""
    if not osp.isfile(mask_path):
        return 'no mask'
    try:
        values = np.unique(read_mask(mask_path))
    except (OSError, ValueError) as exc:
        return str(exc)
    found = [names[v] if v < len(names) else str(v) for v in values
             if v not in (0, IGNORE_INDEX)]
    return ', '.join(found) or 'background only'


def write_overlay_index(out_dir: str, skipped: Sequence[str] = ()) -> str:
    """Write ``out_dir/index.html`` over ``out_dir/overlays/*.jpg`` and
    return its path; ``skipped`` are the reasons of images left out."""
    from mmwsss.datasets import voc_palette
    folder = osp.join(out_dir, 'overlays')
    stems = sorted(osp.splitext(name)[0] for name in (
        os.listdir(folder) if osp.isdir(folder) else [])
        if name.lower().endswith('.jpg'))
    names = _classes(out_dir)
    palette = (stems and _palette(osp.join(out_dir, stems[0] + '.png'),
                                  len(names))) or voc_palette(len(names))
    legend = ' '.join(
        f'<span class="swatch" style="background:rgb{tuple(palette[i])}">'
        f'</span>{escape(name)}' for i, name in enumerate(names))
    figures = []
    for stem in stems:
        mask = stem + '.png'
        figures.append(
            f'<figure><a href="{quote(mask)}"><img src="overlays/'
            f'{quote(stem)}.jpg" alt="{escape(stem)}" loading="lazy"></a>'
            f'<figcaption><b>{escape(stem)}</b><br>'
            f'{escape(_found(osp.join(out_dir, mask), names))}'
            '</figcaption></figure>')
    problems = ''.join(f'<li>{escape(reason)}</li>' for reason in skipped)
    body = (f'{_CSS}<h1>Masks in {escape(osp.basename(osp.abspath(out_dir)))}'
            f'</h1><p class="path">model: {escape(_model(out_dir))}</p>'
            f'<p>{len(stems)} images; click one for its mask (class index '
            f'per pixel).</p><p class="legend">{legend}</p>' +
            (f'<h2>Skipped, unreadable</h2><ul class="warnings">{problems}'
             '</ul>' if problems else '') +
            '<div class="grid">' + ''.join(figures) + '</div>')
    path = osp.join(out_dir, INDEX_FILE)
    with atomic_write(path, 'w') as handle:
        handle.write(page(f'masks: {out_dir}', body))
    return path
