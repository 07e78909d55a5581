"""Runtime compatibility shims for the CPU / mmcv-lite stack.

Three problems of the stack described in README.md ("Installation") are
fixed here, once, before any MMSegmentation module is imported:

1. ``mmcv-lite`` ships no compiled ops (``mmcv._ext``), yet several
   MMSegmentation modules import ``mmcv.ops`` unconditionally.  We register a
   placeholder ``mmcv._ext`` module so those imports succeed; calling any
   compiled op through it raises :class:`MissingCompiledOpError`, which says
   to install full mmcv.  When full mmcv is installed nothing is patched.
2. torch >= 2.6 loads checkpoints with ``weights_only=True`` by default, which
   rejects MMEngine's own checkpoints (they pickle ``HistoryBuffer`` and
   numpy values), while ``weights_only=False`` runs any code a tampered
   file names.  We re-register MMEngine's *local file* checkpoint loader
   (prefix ``''``: ``load_checkpoint``, ``load_from``, ``resume``,
   ``init_cfg``) as :func:`mmwsss.utils.checkpoints.load_checkpoint_file`:
   ``weights_only=True`` with an allowlist of MMEngine's checkpoint types
   first; files inside a protected work dir
   (:func:`mmwsss.utils.checkpoints.protect_work_dir`) load that way only
   and any other content is an error naming the file; files outside every
   protected dir were named by the user and, when the safe loader refuses
   them, are unpickled fully with a warning naming them (the user's
   choice).  Remote URLs keep torch's default.
3. MMEngine writes checkpoints, ``last_checkpoint`` and dumps by opening
   the destination and writing in place, so a full disk or a kill leaves a
   truncated ``epoch_N.pth`` behind.  Local writes of its file backend
   (``LocalBackend.put``/``put_text``) and ``CheckpointHook``'s
   ``last_checkpoint`` go through :func:`mmwsss.utils.io.atomic_write`
   instead: a temporary file renamed into place, with the user's umask,
   and a full disk is an error naming the file.
"""
import importlib.machinery
import importlib.util
import sys
import types
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend

__all__ = [
    'MissingCompiledOpError', 'AtomicLocalBackend', 'has_compiled_mmcv_ops',
    'apply'
]


class MissingCompiledOpError(RuntimeError):
    """A compiled mmcv op was called while only mmcv-lite is installed."""


def has_compiled_mmcv_ops() -> bool:
    """Whether the real ``mmcv._ext`` extension is importable."""
    existing = sys.modules.get('mmcv._ext')
    if existing is not None:
        return not getattr(existing, '_mmwsss_placeholder', False)
    try:
        return importlib.util.find_spec('mmcv._ext') is not None
    except (ImportError, ValueError):
        return False


class _CompiledOpsPlaceholder(types.ModuleType):
    """Stands in for ``mmcv._ext``; every op raises when it is called."""

    _mmwsss_placeholder = True

    def __getattr__(self, name: str):
        if name.startswith('__'):
            raise AttributeError(name)

        def missing_op(*args, **kwargs):
            raise MissingCompiledOpError(
                f'mmcv compiled op "{name}" was called, but only mmcv-lite '
                '(no compiled ops) is installed. Install full mmcv 2.1.0 '
                '(see README, "GPU route") to use this module.')

        missing_op.__name__ = name
        return missing_op


def _install_mmcv_ext_placeholder() -> None:
    if has_compiled_mmcv_ops():
        return
    placeholder = _CompiledOpsPlaceholder('mmcv._ext')
    # mmengine's revert_sync_batchnorm inspects module specs.
    placeholder.__spec__ = importlib.machinery.ModuleSpec('mmcv._ext', None)
    sys.modules['mmcv._ext'] = placeholder


def _install_safe_checkpoint_loader() -> None:
    from mmengine.runner.checkpoint import CheckpointLoader

    from mmwsss.utils.checkpoints import load_checkpoint_file
    CheckpointLoader.register_scheme(prefixes='', force=True)(
        load_checkpoint_file)


class AtomicLocalBackend(LocalBackend):
    """MMEngine's local file backend whose writes replace the destination
    atomically, through :func:`mmwsss.utils.io.atomic_write` (item 3)."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        from mmwsss.utils.io import atomic_write
        with atomic_write(str(filepath), 'wb') as handle:
            handle.write(obj)

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)


def _open_writing_atomically(file, mode: str = 'r', *args, **kwargs):
    """``open`` as ``CheckpointHook`` sees it: its one write, the
    ``last_checkpoint`` pointer, replaces the file atomically."""
    if mode in ('w', 'wb') and not args and not kwargs:
        from mmwsss.utils.io import atomic_write
        return atomic_write(file, mode)
    return open(file, mode, *args, **kwargs)


def _install_atomic_local_writes() -> None:
    from mmengine.fileio import FileClient, register_backend
    from mmengine.hooks import checkpoint_hook
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
    FileClient.register_backend('disk', AtomicLocalBackend, force=True)
    # CheckpointHook writes last_checkpoint with a bare open(); a module
    # global shadows the builtin for that module only.
    checkpoint_hook.open = _open_writing_atomically


_applied = False


def apply() -> None:
    """Install the three shims; safe to call more than once."""
    global _applied
    if _applied:
        return
    _install_mmcv_ext_placeholder()
    _install_safe_checkpoint_loader()
    _install_atomic_local_writes()
    _applied = True
