"""Single-channel PNG maps: label masks (palette indices, 255 ignored) and
grey-level maps (saliency, in [0, 1]); both are read through one checked
decoder that names the file and what is wrong with it."""
import os.path as osp
from typing import Callable, Sequence

import numpy as np
from PIL import Image

from .files import atomic_write

#: Label of pixels without supervision (MMSeg's ignore index).
IGNORE_INDEX = 255
#: Colour of ignored pixels in palette PNGs.
IGNORE_COLOUR = (224, 224, 192)

_MASK_MODES = ('P', 'L', 'I', 'I;16')
_GREY_MODES = ('L', 'LA', 'P', 'RGB', 'RGBA')


def _decode_png(path: str, modes: Sequence[str], bad_mode: str,
                unreadable: str, convert: Callable) -> np.ndarray:
    """``convert(img)`` of a PIL image whose mode is one of ``modes``; a
    wrong mode raises ``ValueError(bad_mode)`` and an undecodable file
    ``ValueError(unreadable)`` (``{mode}`` / ``{exc}`` filled in), both
    prefixed by ``path``."""
    try:
        with Image.open(path) as img:
            img.load()
            if img.mode not in modes:
                raise ValueError(f'{path}: ' + bad_mode.format(mode=img.mode))
            return convert(img)
    except ValueError:
        raise
    except Exception as exc:  # PIL: unidentified / truncated file
        raise ValueError(f'{path}: ' + unreadable.format(exc=exc)) from exc


def read_mask(path: str) -> np.ndarray:
    """Raw palette indices of a label PNG (never RGB), with a clear error."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'mask file {path} does not exist')
    mask = _decode_png(
        path, _MASK_MODES,
        'mask mode {mode} is not a palette or grey-level image',
        'cannot read mask (corrupt or truncated: {exc})',
        lambda img: np.asarray(img).astype(np.int64))
    if mask.ndim != 2:
        raise ValueError(f'{path}: mask must be single-channel, got shape '
                         f'{mask.shape}')
    if mask.size and (mask.max() > 255 or mask.min() < 0):
        raise ValueError(f'{path}: mask values must lie in 0..255 (found '
                         f'{mask.min()}..{mask.max()})')
    return mask


def write_label_png(path: str, label_map: np.ndarray, palette) -> None:
    """VOC-style palette PNG (value = class index, 255 = ignored), which
    any viewer shows in the dataset's colours."""
    table = np.zeros((256, 3), np.uint8)
    table[:len(palette)] = np.asarray(palette, np.uint8)
    table[IGNORE_INDEX] = IGNORE_COLOUR
    png = Image.fromarray(label_map.astype(np.uint8), mode='P')
    png.putpalette(table.ravel().tolist())
    with atomic_write(path) as handle:
        png.save(handle, format='PNG')


def read_grey_map(path: str, expected_shape: Sequence[int] = None
                  ) -> np.ndarray:
    """An 8-bit grey PNG (a saliency map) as float32 in [0, 1].

    ``expected_shape`` (H, W), usually the image's, catches maps computed
    for another version of the image before they silently misalign.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'saliency map {path} does not exist')
    grey = _decode_png(
        path, _GREY_MODES, 'saliency map mode {mode} is not an 8-bit grey '
        'image', 'cannot read saliency map ({exc})',
        lambda img: np.asarray(img.convert('L')))
    if expected_shape is not None and \
            grey.shape != tuple(expected_shape[:2]):
        raise ValueError(
            f'{path}: saliency map has shape {grey.shape}, expected '
            f'{tuple(expected_shape[:2])}')
    return grey.astype(np.float32) / 255.0


def write_grey_map(path: str, values: np.ndarray) -> None:
    """Write a [0, 1] map as an 8-bit grey PNG, atomically (the format of
    precomputed saliency folders in the WSSS literature)."""
    grey = np.round(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)
    with atomic_write(path) as handle:
        Image.fromarray(grey, mode='L').save(handle, format='PNG')
