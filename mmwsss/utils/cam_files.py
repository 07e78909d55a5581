"""CAM files: one image's class activation maps, written by the CAM step
and read by the pseudo-mask steps, evaluation and the overlays."""
from typing import Dict, Sequence

import numpy as np

from .files import atomic_write, read_npz


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
    result = read_npz(path, 'CAM file')
    if 'cams' not in result or 'labels' not in result:
        raise ValueError(f'{path}: CAM file lacks "cams" or "labels"')
    result['cams'] = result['cams'].astype(np.float32)
    return result
