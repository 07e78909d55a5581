"""Small file helpers shared by every stage that writes per-image outputs.

Every writer goes through :func:`atomic_write`: the payload is written to a
temporary file in the destination folder and renamed into place, so a crash
never leaves a truncated output and "file exists" means "file is complete".
That is what makes the per-image stages resumable.
"""
import contextlib
import os
import os.path as osp
import tempfile
from typing import Dict, Iterator, Sequence

import numpy as np

__all__ = ['atomic_write', 'save_cam_file', 'load_cam_file', 'read_split']


@contextlib.contextmanager
def atomic_write(path: str, mode: str = 'wb') -> Iterator:
    """Open a temporary file next to ``path``; rename it to ``path`` on
    success, delete it on error."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(
        dir=folder, prefix='.tmp-', suffix=osp.basename(path))
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp_path)
        raise


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


def read_split(path: str) -> list:
    """Image ids listed in a split file, one per line, blank lines ignored."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'split file {path} does not exist')
    with open(path) as handle:
        ids = [line.strip().split()[0] for line in handle if line.strip()]
    if not ids:
        raise ValueError(f'split file {path} is empty: it lists no images')
    return ids


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
