"""Runtime compatibility shims for the CPU / mmcv-lite stack.

Two problems of the stack described in README.md ("Installation") are fixed
here, once, before any MMSegmentation module is imported:

1. ``mmcv-lite`` ships no compiled ops (``mmcv._ext``), yet several
   MMSegmentation modules import ``mmcv.ops`` unconditionally.  We register a
   placeholder ``mmcv._ext`` module so those imports succeed; calling any
   compiled op through it raises :class:`MissingCompiledOpError`, which says
   to install full mmcv.  When full mmcv is installed nothing is patched.
2. torch >= 2.6 loads checkpoints with ``weights_only=True`` by default, which
   rejects MMEngine's own checkpoints (they pickle ``HistoryBuffer``).  We
   re-register MMEngine's *local file* checkpoint loader so that files the
   user points to (``load_from``, ``resume``, ``init_cfg`` paths) are loaded
   with ``weights_only=False``.  Remote URLs keep torch's default.
"""
import importlib.machinery
import importlib.util
import sys
import types

__all__ = ['MissingCompiledOpError', 'has_compiled_mmcv_ops', 'apply']


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


def load_from_trusted_local(filename, map_location=None):
    """MMEngine's local loader, but allowing the pickled objects that
    MMEngine itself writes into checkpoints (message hubs, history buffers).
    """
    import os.path as osp

    import torch
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file {filename} does not exist')
    return torch.load(filename, map_location=map_location, weights_only=False)


def _install_trusted_checkpoint_loader() -> None:
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(prefixes='', force=True)(
        load_from_trusted_local)


_applied = False


def apply() -> None:
    """Install both shims; safe to call more than once."""
    global _applied
    if _applied:
        return
    _install_mmcv_ext_placeholder()
    _install_trusted_checkpoint_loader()
    _applied = True
