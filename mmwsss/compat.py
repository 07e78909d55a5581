"""Runtime compatibility shims for the CPU / mmcv-lite stack.

Three problems of the stack described in README.md ("Installation") are
fixed here, once, before any MMSegmentation module is imported:

1. ``mmcv-lite`` ships no compiled ops (``mmcv._ext``), yet several
   MMSegmentation modules import ``mmcv.ops`` unconditionally.  A finder
   appended to ``sys.meta_path`` (:mod:`mmwsss_startup`, which the
   installed ``mmwsss-startup.pth`` already runs at interpreter start, so
   MMSeg's entry points work before anything imports mmwsss) gives that
   import a placeholder module; calling any compiled op through it raises
   :class:`MissingCompiledOpError`, which says to install full mmcv.  When
   full mmcv is installed its real extension is found first.
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

The extras of setup.py (``saliency``: onnxruntime, ``hcp``: scikit-image)
are optional: a module that imports one falls back to
:func:`missing_extra`, so mmwsss imports without it and the first use
raises :class:`MissingExtraError` naming the extra to install.
"""
import importlib.util
import sys
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend

__all__ = [
    'MissingCompiledOpError', 'MissingExtraError', 'AtomicLocalBackend',
    'has_compiled_mmcv_ops', 'missing_extra', 'missing_extra_error', 'apply'
]


def _startup_module():
    """:mod:`mmwsss_startup`, installed beside the package; in a checkout
    that was installed before the module existed (an editable install
    whose finder does not know it yet) it is loaded from the checkout."""
    try:
        import mmwsss_startup
        return mmwsss_startup
    except ImportError:
        pass
    path = Path(__file__).resolve().parents[1] / 'mmwsss_startup.py'
    spec = importlib.util.spec_from_file_location('mmwsss_startup', path)
    if spec is None or not path.is_file():
        raise ImportError(
            f'mmwsss is installed without its start-up module ({path} is '
            'missing): reinstall it (pip install -e . in the checkout)')
    module = importlib.util.module_from_spec(spec)
    sys.modules['mmwsss_startup'] = module
    spec.loader.exec_module(module)
    return module


mmwsss_startup = _startup_module()
MissingCompiledOpError = mmwsss_startup.MissingCompiledOpError


def has_compiled_mmcv_ops() -> bool:
    """Whether the real ``mmcv._ext`` extension is importable (not the
    placeholder of :mod:`mmwsss_startup`)."""
    existing = sys.modules.get(mmwsss_startup.EXT_NAME)
    if existing is not None:
        return not mmwsss_startup.is_placeholder(existing)
    try:
        spec = importlib.util.find_spec(mmwsss_startup.EXT_NAME)
    except (ImportError, ValueError):
        return False
    return spec is not None and not mmwsss_startup.is_placeholder(
        spec.loader)


def _install_mmcv_ext_placeholder() -> None:
    """The start-up hook's finder, for a checkout run without installing
    (no ``.pth`` file ran); a no-op when it is in place."""
    mmwsss_startup.install()


class MissingExtraError(ImportError):
    """An optional dependency (a ``pip install mmwsss[EXTRA]`` extra) is
    needed by what was just used and is not installed."""


def missing_extra_error(module: str, extra: str,
                        user: str) -> MissingExtraError:
    """The error saying that ``user`` (a class or feature) needs ``module``
    of the ``extra`` extra, and how to install it."""
    return MissingExtraError(
        f'{user} needs {module}, which is not installed: install the '
        f'"{extra}" extra (pip install -e ".[{extra}]" in the checkout, or '
        f'pip install {module})')


class _MissingModule:
    """Stands in for a module of an extra that is not installed, so that
    the modules using it still import (``import mmwsss`` must work without
    the extras); any use of it raises :class:`MissingExtraError`."""

    def __init__(self, module: str, extra: str, user: str) -> None:
        self._args = (module, extra, user)

    def __getattr__(self, name: str):
        if name.startswith('__'):
            raise AttributeError(name)

        def missing(*args, **kwargs):
            raise missing_extra_error(*self._args)

        return missing


def missing_extra(module: str, extra: str, user: str) -> _MissingModule:
    """A stand-in for ``module`` of the ``extra`` extra, which ``user`` (a
    class or feature, named in the error) needs."""
    return _MissingModule(module, extra, user)


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
