"""Which checkpoint files may be unpickled, and how.

A ``.pth`` file is a pickle: loading it with ``weights_only=False`` runs
whatever code it names, so a tampered file in a work dir would run code
the next time a stage resumes.  The policy (README, "Installation"):

* every file is first loaded with ``torch.load(weights_only=True)`` and an
  allowlist of the types MMEngine writes into checkpoints
  (:func:`checkpoint_safe_globals`), which loads every checkpoint of this
  project and of MMEngine's Runner;
* files inside a *protected* work dir (:func:`protect_work_dir`: the dirs
  the pipeline and the tools write checkpoints to) are loaded that way
  only; one holding anything else raises :class:`UnsafeCheckpointError`;
* files outside every protected dir were named by the user (``load_from``,
  a pretrained ``init_cfg``, a checkpoint argument): when the safe loader
  refuses one it is unpickled fully, with an
  :class:`UntrustedCheckpointWarning` naming it -- the user's choice.
"""
import functools
import inspect
import os.path as osp
import pickle
import re
import threading
import warnings
from typing import Any, Callable, List, Optional, Tuple, Union

from .paths import is_inside

__all__ = [
    'UnsafeCheckpointError', 'UntrustedCheckpointWarning', 'is_inside',
    'protect_work_dir', 'unprotect_work_dir', 'protected_work_dirs',
    'protecting_dir', 'history_buffer_getattr', 'checkpoint_safe_globals',
    'load_safely', 'load_checkpoint_file'
]

SafeGlobal = Union[Callable, Tuple[Callable, str]]

#: Statistics methods every HistoryBuffer registers for itself.
_DEFAULT_STATISTICS = ('min', 'max', 'current', 'mean')

_protected_dirs: List[str] = []
#: torch's allowlist is process-global; one load at a time keeps a
#: finishing thread from removing it under another's feet.
_load_lock = threading.RLock()


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A file in a protected work dir holds objects outside the allowlist."""


class UntrustedCheckpointWarning(UserWarning):
    """A file the user named was unpickled fully (it could run code)."""


# ------------------------------------------------------- protected dirs
def _lexically_inside(path: str, folder: str) -> bool:
    path, folder = osp.abspath(path), osp.abspath(folder)
    return osp.commonpath([path, folder]) == folder


def protect_work_dir(path: str) -> str:
    """Mark ``path`` as a dir this process writes checkpoints to: files
    in it are only ever loaded with the safe loader.  Returns the
    absolute path."""
    folder = osp.abspath(path)
    if folder not in _protected_dirs:
        _protected_dirs.append(folder)
    return folder


def unprotect_work_dir(path: str) -> None:
    """Undo :func:`protect_work_dir` (tests, long-lived processes)."""
    folder = osp.abspath(path)
    if folder in _protected_dirs:
        _protected_dirs.remove(folder)


def protected_work_dirs() -> List[str]:
    """The protected dirs, in the order they were registered."""
    return list(_protected_dirs)


def protecting_dir(path: str) -> Optional[str]:
    """The protected dir ``path`` lies in, or ``None``.  Both the resolved
    and the literal path count: a symlink inside a work dir pointing
    elsewhere is still a file of that work dir."""
    for folder in _protected_dirs:
        if is_inside(path, folder) or _lexically_inside(path, folder):
            return folder
    return None


# ------------------------------------------------------------ allowlist
def _is_statistics_method(name: str) -> bool:
    from mmengine.logging import HistoryBuffer
    own = vars(HistoryBuffer).get(name)
    if not inspect.isfunction(own):
        return False
    registered = HistoryBuffer._statistics_methods.get(name)
    return name in _DEFAULT_STATISTICS or registered is own


def history_buffer_getattr(obj: Any, name: Any, *default: Any) -> Any:
    """Stands in for ``getattr`` while a checkpoint is unpickled.

    A pickled ``HistoryBuffer`` names its statistics methods as
    ``getattr(HistoryBuffer, 'min')``; the real ``getattr`` on the
    allowlist would reach any attribute of any allowed object (and from
    there ``os``), so only those lookups are answered.
    """
    from mmengine.logging import HistoryBuffer
    if (obj is HistoryBuffer and not default and isinstance(name, str)
            and _is_statistics_method(name)):
        return getattr(HistoryBuffer, name)
    owner = getattr(obj, '__qualname__', type(obj).__qualname__)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({owner}, {name!r}): only the '
        'statistics methods of mmengine HistoryBuffer may be looked up '
        'while loading a checkpoint')


def _numpy_globals() -> List[SafeGlobal]:
    """numpy arrays, scalars and dtypes (runtime info, random states),
    under numpy 2's and numpy 1's module paths."""
    import numpy as np
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy 1.x
        from numpy.core import multiarray
    found: List[SafeGlobal] = [np.ndarray, np.dtype]
    for name in ('_reconstruct', 'scalar'):
        func = getattr(multiarray, name)
        for module in ('numpy._core.multiarray', 'numpy.core.multiarray'):
            found.append((func, f'{module}.{name}'))
    dtypes = getattr(np, 'dtypes', None)  # numpy >= 1.25: dtype classes
    for name in getattr(dtypes, '__all__', ()):
        cls = getattr(dtypes, name)
        if isinstance(cls, type):
            found.append(cls)
    return found


@functools.lru_cache(maxsize=1)
def checkpoint_safe_globals() -> Tuple[SafeGlobal, ...]:
    """What ``weights_only=True`` loading may build besides tensors and
    containers: the types MMEngine writes into checkpoints (message hub
    history buffers, numpy values in runtime info and random states).
    ``bytes`` too: pickle protocol 2 writes ``b''`` (the data of an empty
    array, e.g. a history buffer never updated) as a call ``bytes()``."""
    from mmengine.logging import HistoryBuffer
    return tuple([HistoryBuffer, bytes, *_numpy_globals(),
                  (history_buffer_getattr, '__builtin__.getattr'),
                  (history_buffer_getattr, 'builtins.getattr')])


# -------------------------------------------------------------- loading
def load_safely(filename: str, map_location: Any = None) -> Any:
    """``torch.load(weights_only=True)`` with the allowlist; raises
    ``pickle.UnpicklingError`` for a file holding anything else."""
    import torch
    with _load_lock, torch.serialization.safe_globals(
            list(checkpoint_safe_globals())):
        return torch.load(filename, map_location=map_location,
                          weights_only=True)


def _refusal_reason(exc: Exception) -> str:
    """The line of torch's long weights-only message that says what was
    refused (e.g. ``GLOBAL posix.system``)."""
    text = str(exc)
    match = re.search(r'WeightsUnpickler error:\s*([^\n]*)', text)
    reason = match.group(1) if match else text.strip().splitlines()[0]
    return reason.split(' Please use')[0].rstrip('. ')


def _refusal(filename: str, folder: str,
             exc: Exception) -> UnsafeCheckpointError:
    return UnsafeCheckpointError(
        f'{filename}: refusing to load this checkpoint: it lies in the '
        f'protected work dir {folder} and holds objects outside the '
        f'allowlist of checkpoint types ({_refusal_reason(exc)}); '
        'unpickling it could run arbitrary code.  Delete it (training '
        'resumes from an earlier checkpoint or starts over), or copy it '
        'out of the work dir and name it yourself if you trust it.')


def load_checkpoint_file(filename: str, map_location: Any = None) -> Any:
    """MMEngine's local checkpoint loader under the policy of this module
    (safe loader first; full unpickling only for files outside every
    protected dir, with a warning)."""
    import torch
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file {filename} does not exist')
    try:
        return load_safely(filename, map_location)
    except pickle.UnpicklingError as exc:
        folder = protecting_dir(filename)
        if folder is not None:
            raise _refusal(filename, folder, exc) from exc
        reason = _refusal_reason(exc)
    warnings.warn(
        f'{filename}: holds objects outside the allowlist of checkpoint '
        f'types ({reason}); unpickling it fully because you named it (the '
        "user's choice).  Only load checkpoints you trust: a tampered "
        'file can run code.', UntrustedCheckpointWarning, stacklevel=2)
    return torch.load(filename, map_location=map_location,
                      weights_only=False)
