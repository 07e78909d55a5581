"""Reading and writing the files of a WSSS pipeline, one way each.

Images, masks, saliency maps, CAMs and erasing regions are written by one
step and read by the next; every reader names the file and what is wrong
with it, and every writer goes through :func:`atomic_write`: the payload is
written to a temporary file beside the destination and renamed into place,
so a crash never leaves a truncated output and "file exists" means "file is
complete".  That is what makes the per-image steps resumable.

Per-image outputs are named by the image's file stem (:func:`image_stem`):
``JPEGImages/2008_000123.jpg`` -> ``<out_dir>/2008_000123.png``.
"""
import contextlib
import errno
import os
import os.path as osp
import tempfile
from typing import Dict, Iterator, Optional, Sequence, Union

import mmcv
import numpy as np
from PIL import Image, ImageOps

#: Label of pixels without supervision (MMSeg's ignore index).
IGNORE_INDEX = 255
#: Colour of ignored pixels in palette PNGs.
IGNORE_COLOUR = (224, 224, 192)

_JPEG_EOI = b'\xff\xd9'
_PNG_END = b'IEND'
_MASK_MODES = ('P', 'L', 'I', 'I;16')
_GREY_MODES = ('L', 'LA', 'P', 'RGB', 'RGBA')


def image_stem(info: Union[str, dict]) -> str:
    """Name of an image's per-image outputs: its file name without
    extension (``info`` is a path or a data info with ``img_path``)."""
    path = info if isinstance(info, str) else info['img_path']
    return osp.splitext(osp.basename(path))[0]


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _umask() -> int:
    """The process umask, read from ``/proc`` where Linux shows it:
    ``os.umask`` can only be read by setting it, racy across threads."""
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('Umask:'):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _replacing(path: str, mode: str) -> Iterator:
    """A temporary file beside ``path`` with the mode ``open`` would give
    ``path`` (``mkstemp`` makes it 0600), renamed onto it on success and
    deleted on error."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(
        dir=folder, prefix='.tmp-', suffix=osp.basename(path))
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp_path)
        raise


@contextlib.contextmanager
def atomic_write(path: str, mode: str = 'wb') -> Iterator:
    """Open a temporary file next to ``path``; rename it to ``path`` on
    success, delete it on error.

    The file ends with the user's umask (``0o666 & ~umask``), as ``open``
    would create it.  A full disk (or quota) raises an ``OSError`` (same
    errno) naming ``path`` and saying that nothing was left half-written,
    instead of a bare ``[Errno 28]`` after a truncated file.
    """
    try:
        with _replacing(path, mode) as handle:
            yield handle
    except OSError as exc:
        if exc.errno not in _DISK_FULL:
            raise
        raise OSError(exc.errno, (
            f'{path}: the disk is full ({exc.strerror}); nothing was left '
            'half-written (the destination is untouched and the partial '
            'temporary file was removed).  Free some space and run '
            'again.')) from exc


# ----------------------------------------------------------------- images
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


# ------------------------------------------------------------------ masks
def read_mask(path: str) -> np.ndarray:
    """Raw palette indices of a label PNG (never RGB), with a clear error."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'mask file {path} does not exist')
    try:
        with Image.open(path) as img:
            img.load()
            if img.mode not in _MASK_MODES:
                raise ValueError(f'{path}: mask mode {img.mode} is not a '
                                 'palette or grey-level image')
            mask = np.asarray(img).astype(np.int64)
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(
            f'{path}: cannot read mask (corrupt or truncated: {exc})') from exc
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


# ---------------------------------------------------------- grey-level maps
def read_grey_map(path: str, expected_shape: Sequence[int] = None
                  ) -> np.ndarray:
    """An 8-bit grey PNG (a saliency map) as float32 in [0, 1].

    ``expected_shape`` (H, W), usually the image's, catches maps computed
    for another version of the image before they silently misalign.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'saliency map {path} does not exist')
    try:
        with Image.open(path) as img:
            img.load()
            if img.mode not in _GREY_MODES:
                raise ValueError(f'{path}: saliency map mode {img.mode} is '
                                 'not an 8-bit grey image')
            grey = np.asarray(img.convert('L'))
    except ValueError:
        raise
    except Exception as exc:  # PIL: unidentified / truncated file
        raise ValueError(
            f'{path}: cannot read saliency map ({exc})') from exc
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


# ---------------------------------------------------------- CAMs, regions
def save_cam_file(path: str, cams: np.ndarray, labels: Sequence[int],
                  scores: np.ndarray = None) -> None:
    """Write one image's CAMs atomically.

    Args:
        path: destination ``.npz`` file.
        cams: ``(len(labels), H, W)`` maps normalised to [0, 1], one per
            labelled foreground class, at the original image size.
        labels: the image's foreground class indices (segmentation index
            space, background = 0 is never listed).
        scores: optional classifier probabilities of all foreground classes.
    """
    cams = np.asarray(cams, dtype=np.float16)
    labels = np.asarray(labels, dtype=np.int64)
    if cams.ndim != 3 or cams.shape[0] != len(labels):
        raise ValueError(f'{path}: cams must be (len(labels)={len(labels)}, '
                         f'H, W), got shape {cams.shape}')
    payload: Dict[str, np.ndarray] = dict(cams=cams, labels=labels)
    if scores is not None:
        payload['scores'] = np.asarray(scores, dtype=np.float32)
    with atomic_write(path) as handle:
        np.savez_compressed(handle, **payload)


def load_cam_file(path: str) -> Dict[str, np.ndarray]:
    """Read a file written by :func:`save_cam_file` with a clear error."""
    try:
        with np.load(path) as data:
            result = {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise FileNotFoundError(f'CAM file {path} does not exist') from None
    except Exception as exc:  # zip / pickle errors from a damaged file
        raise ValueError(f'{path}: not a readable CAM file ({exc})') from exc
    if 'cams' not in result or 'labels' not in result:
        raise ValueError(f'{path}: CAM file lacks "cams" or "labels"')
    result['cams'] = result['cams'].astype(np.float32)
    return result


def save_regions_file(path: str, regions: np.ndarray,
                      labels: Sequence[int]) -> None:
    """Write one image's mined erasing regions atomically: ``regions`` is
    ``(steps, len(labels), grid, grid)`` bool, one mask per step and class."""
    regions = np.asarray(regions, dtype=bool)
    if regions.ndim != 4 or regions.shape[1] != len(labels):
        raise ValueError(f'{path}: regions must be (steps, len(labels)='
                         f'{len(labels)}, grid, grid), got {regions.shape}')
    with atomic_write(path) as handle:
        np.savez_compressed(handle, regions=regions,
                            labels=np.asarray(labels, dtype=np.int64))


def load_regions_file(path: str) -> Dict[str, np.ndarray]:
    """Read a file written by :func:`save_regions_file`."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'erasing regions file {path} does not exist')
    try:
        with np.load(path) as data:
            return dict(regions=data['regions'].astype(bool),
                        labels=data['labels'])
    except Exception as exc:
        raise ValueError(f'{path}: not a readable regions file ({exc})') \
            from exc


def save_soft_map(path: str, class_ids: Sequence[int], probs: np.ndarray,
                  ignore: Optional[np.ndarray] = None) -> None:
    """Write one image's soft localization map atomically: ``probs`` is
    ``(len(class_ids), H, W)``, per pixel a distribution over
    ``class_ids`` (background first); ``ignore`` marks pixels without a
    target."""
    probs = np.asarray(probs, dtype=np.float32)
    if probs.ndim != 3 or probs.shape[0] != len(class_ids):
        raise ValueError(f'{path}: probs must be (len(class_ids)='
                         f'{len(class_ids)}, H, W), got {probs.shape}')
    if ignore is None:
        ignore = np.zeros(probs.shape[1:], bool)
    with atomic_write(path) as handle:
        np.savez_compressed(handle, class_ids=np.asarray(class_ids, np.int64),
                            probs=probs.astype(np.float16),
                            ignore=np.asarray(ignore, bool))


def load_soft_map(path: str) -> Dict[str, np.ndarray]:
    """Read a file written by :func:`save_soft_map`."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'soft map file {path} does not exist')
    try:
        with np.load(path) as data:
            return dict(class_ids=data['class_ids'],
                        probs=data['probs'].astype(np.float32),
                        ignore=data['ignore'].astype(bool))
    except Exception as exc:
        raise ValueError(f'{path}: not a readable soft map file ({exc})') \
            from exc


def load_proposal_boxes(path: str) -> np.ndarray:
    """The ``(N, 4)`` boxes of a proposal file
    (:mod:`mmwsss.proposals.proposal_files`), best first."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'proposal file {path} does not exist')
    try:
        with np.load(path) as data:
            return data['boxes'].astype(np.float32)
    except Exception as exc:
        raise ValueError(f'{path}: not a readable proposal file ({exc})') \
            from exc
