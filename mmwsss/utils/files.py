"""Files of a WSSS pipeline: atomic writes, per-image names, checked
``.npz`` reads.

Every writer goes through :func:`atomic_write`: the payload is written to a
temporary file beside the destination and renamed into place, so a crash
never leaves a truncated output and "file exists" means "file is
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

import numpy as np


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


def read_npz(path: str, kind: str, keys: Optional[Sequence[str]] = None,
             missing: Optional[str] = None) -> Dict[str, np.ndarray]:
    """The arrays ``keys`` (default: all) of an ``.npz`` file, read once
    for every format so that each names the file and what is wrong: a
    missing file raises ``FileNotFoundError`` (``'<missing or kind> <path>
    does not exist'``), a damaged one or one lacking a key ``ValueError``
    (``'<path>: not a readable <kind> (...)'``).  Only ``keys`` are
    decompressed (a data pipeline reading one array of a big file)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{missing or kind} {path} does not exist')
    try:
        with np.load(path) as data:
            return {key: data[key] for key in (keys or data.files)}
    except FileNotFoundError:
        raise FileNotFoundError(
            f'{missing or kind} {path} does not exist') from None
    except Exception as exc:  # zip / pickle errors, a missing array
        raise ValueError(f'{path}: not a readable {kind} ({exc})') from exc
