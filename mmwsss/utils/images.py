"""Image files: checked decoding and the decoded size (EXIF orientation).

OpenCV decodes a truncated JPEG silently and turns EXIF-rotated photos
upright; every per-image output has the decoded size, so the size and the
checks live beside the one decoder.
"""
import os.path as osp
from typing import Optional

import mmcv
import numpy as np
from PIL import Image, ImageOps

_JPEG_EOI = b'\xff\xd9'
_PNG_END = b'IEND'


def check_image_bytes(path: str, data: bytes) -> None:
    """Raise ``ValueError`` naming ``path`` for empty or truncated files
    (OpenCV decodes a truncated JPEG silently, grey bottom half)."""
    if not data:
        raise ValueError(f'{path}: image file is empty')
    if data[:2] == b'\xff\xd8' and _JPEG_EOI not in data[-1024:]:
        raise ValueError(f'{path}: JPEG is truncated (no end-of-image marker)')
    if data[:8] == b'\x89PNG\r\n\x1a\n' and _PNG_END not in data[-64:]:
        raise ValueError(f'{path}: PNG is truncated (no IEND chunk)')


def read_image(path: str, channel_order: str = 'bgr',
               color_type: str = 'color', backend: str = 'cv2') -> np.ndarray:
    """Decode an image file (``HxWx3`` uint8, BGR as MMCV's pipelines
    expect, or ``channel_order='rgb'`` for the CRF and saliency models);
    missing, empty, truncated or undecodable files raise an error that
    names them."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'image file {path} does not exist')
    with open(path, 'rb') as handle:
        data = handle.read()
    check_image_bytes(path, data)
    img = mmcv.imfrombytes(data, flag=color_type, backend=backend,
                           channel_order=channel_order)
    if img is None:
        raise ValueError(f'{path}: cannot decode image (corrupt file or '
                         'unsupported format)')
    return np.ascontiguousarray(img)


_EXIF_ORIENTATION = 0x0112


def exif_orientation(path: str) -> int:
    """The EXIF orientation tag of an image file (1, upright, when absent
    or unreadable)."""
    try:
        with Image.open(path) as img:
            return int(img.getexif().get(_EXIF_ORIENTATION, 1) or 1)
    except Exception:  # no EXIF block, or one PIL cannot parse
        return 1


def image_size(path: str) -> tuple:
    """``(H, W)`` of an image as :func:`read_image` decodes it.

    Phone photos are often stored sideways with an EXIF orientation tag;
    OpenCV (so MMCV, MMSeg and :func:`read_image`) turns them upright
    while decoding, whereas the header size is the stored one.  Every
    per-image output (CAMs, saliency, masks) has the decoded size, so for
    an image carrying an orientation tag the size is taken from the
    decoder itself: one decoder decides the size everywhere.  Upright
    images are not decoded.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'image file {path} does not exist')
    try:
        with Image.open(path) as img:
            stored = img.size[::-1]
            orientation = int(img.getexif().get(_EXIF_ORIENTATION, 1) or 1)
    except Exception as exc:
        raise ValueError(f'{path}: cannot read the image header ({exc})') \
            from exc
    if orientation == 1:
        return stored
    return read_image(path).shape[:2]


def check_decoded_size(path: str) -> Optional[str]:
    """Why an image's decoded size disagrees with its EXIF-displayed size,
    or ``None`` when they agree (always for upright images).  A format
    whose decoder ignores the orientation tag would give masks that do not
    overlay the photo as viewers show it, so datasets name such files at
    load time instead of training on them."""
    orientation = exif_orientation(path)
    if orientation == 1:
        return None
    with Image.open(path) as img:
        displayed = ImageOps.exif_transpose(img).size[::-1]
    decoded = read_image(path).shape[:2]
    if tuple(decoded) == tuple(displayed):
        return None
    return (f'{path}: EXIF orientation {orientation} displays the photo as '
            f'{displayed[1]}x{displayed[0]}, but it decodes as '
            f'{decoded[1]}x{decoded[0]}; save the photo upright (without '
            'the orientation tag) and run again')
