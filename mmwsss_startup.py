"""Interpreter start-up hook of mmwsss: ``mmcv._ext`` for mmcv-lite.

MMSegmentation imports ``mmcv.ops`` unconditionally, and with mmcv-lite
(mmcv without compiled ops) that import fails on the missing extension
``mmcv._ext``.  ``import mmwsss`` works around it (:mod:`mmwsss.compat`),
but MMSeg's own entry points (``from mmseg.apis import init_model``,
``MMSegInferencer``, a script that imports ``mmseg.models``) may run before
anything imports mmwsss.

The installed package therefore puts ``mmwsss-startup.pth`` into
site-packages (setup.py), which imports this module at every interpreter
start.  It stays cheap on purpose: it imports nothing beyond the standard
library modules loaded at start-up anyway and only appends a finder to
``sys.meta_path``.  The finder answers for ``mmcv._ext`` alone, and only
after every other finder failed to find it: with full mmcv (real compiled
ops) the real extension is found first and nothing changes.  Otherwise the
import gets a placeholder module whose ops raise
:class:`MissingCompiledOpError`, naming full mmcv, when one is called.

This module is a top-level one, outside the ``mmwsss`` package, because
importing the package would import torch and MMSeg at every start.
"""
import importlib.machinery
import sys
import types

__all__ = ['MissingCompiledOpError', 'CompiledOpsPlaceholder',
           'MmcvExtFinder', 'install', 'is_placeholder']

#: the module the finder stands in for
EXT_NAME = 'mmcv._ext'


class MissingCompiledOpError(RuntimeError):
    """A compiled mmcv op was called while only mmcv-lite is installed."""


class CompiledOpsPlaceholder(types.ModuleType):
    """Stands in for ``mmcv._ext``: mmcv's loader checks that each op name
    exists, so every name is an op; calling one raises."""

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


class _PlaceholderLoader:
    """Creates the placeholder module; there is no code to execute."""

    _mmwsss_placeholder = True

    @staticmethod
    def create_module(spec) -> types.ModuleType:
        return CompiledOpsPlaceholder(spec.name)

    @staticmethod
    def exec_module(module: types.ModuleType) -> None:
        """Nothing to run: the placeholder answers every attribute."""


class MmcvExtFinder:
    """A ``sys.meta_path`` finder, placed last, that finds ``mmcv._ext``
    when no other finder did (mmcv-lite)."""

    _mmwsss_placeholder = True

    @classmethod
    def find_spec(cls, fullname: str, path=None, target=None):
        if fullname != EXT_NAME:
            return None
        # mmengine's revert_sync_batchnorm inspects module specs: a real one
        return importlib.machinery.ModuleSpec(EXT_NAME, _PlaceholderLoader())


def is_placeholder(obj) -> bool:
    """Whether ``obj`` (a module, spec loader or finder) is this module's
    stand-in rather than mmcv's compiled extension."""
    return bool(getattr(obj, '_mmwsss_placeholder', False))


def install() -> None:
    """Append the finder to ``sys.meta_path`` once (the ``.pth`` file and
    :mod:`mmwsss.compat` both call this)."""
    if not any(is_placeholder(finder) for finder in sys.meta_path):
        sys.meta_path.append(MmcvExtFinder)


install()
