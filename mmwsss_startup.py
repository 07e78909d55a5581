"""Interpreter start-up hook of mmwsss: ``mmcv._ext`` for mmcv-lite, and
MMSeg's model builders and MMEngine's ``Runner.from_cfg`` on configs whose
``num_classes`` the labels file gives (sections below).

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


# ------------------------------------------------------------------------
# MMSeg's model builders on a config whose num_classes is still open
#
# mmwsss's own-data configs leave ``num_classes=None``: the labels file
# says it.  MMSeg's ``init_model`` and ``MMSegInferencer`` build the model
# straight from the config, so they would stop on it.  When MMSeg's module
# defining them is imported, they are wrapped: a config with an open
# ``num_classes`` is completed first (from the checkpoint's class names,
# else from the labels file, :func:`mmwsss.apis.complete_model_config`);
# every other config goes through untouched, and mmwsss is imported only
# for the open ones.


def has_open_num_classes(node) -> bool:
    """Whether a (model) config holds ``num_classes=None`` anywhere."""
    if isinstance(node, dict):
        return any((key == 'num_classes' and value is None)
                   or has_open_num_classes(value)
                   for key, value in node.items())
    if isinstance(node, (list, tuple)):
        return any(has_open_num_classes(value) for value in node)
    return False


def _completed(config, checkpoint):
    from mmwsss.apis import complete_model_config
    return complete_model_config(config, checkpoint)


def _wrap_init_model(module: types.ModuleType) -> None:
    original = module.init_model
    if hasattr(original, '__wrapped__'):
        return

    def init_model(config, checkpoint=None, device='cuda:0',
                   cfg_options=None):
        from mmengine.config import Config
        if not isinstance(config, Config):
            config = Config.fromfile(str(config))
        if cfg_options is not None:
            config.merge_from_dict(cfg_options)
        if has_open_num_classes(config.get('model')):
            config = _completed(config, checkpoint)
        return original(config, checkpoint, device)

    init_model.__doc__ = original.__doc__
    init_model.__wrapped__ = original
    module.init_model = init_model
    package = sys.modules.get('mmseg.apis')  # bound it already: a late wrap
    if package is not None and getattr(package, 'init_model',
                                       None) is original:
        package.init_model = init_model


def _wrap_inferencer(module: types.ModuleType) -> None:
    cls = module.MMSegInferencer
    original = cls._init_model
    if hasattr(original, '__wrapped__'):
        return

    def _init_model(self, cfg, weights, device='cpu'):
        if has_open_num_classes(cfg.get('model')):
            cfg = _completed(cfg, weights)
        return original(self, cfg, weights, device)

    _init_model.__wrapped__ = original
    cls._init_model = _init_model


# MMSeg's ``tools/train.py`` builds the runner a config names
# (``runner_type``); its ``tools/test.py`` and scripts such as
# ``confusion_matrix.py``'s callers call ``Runner.from_cfg`` directly.  A
# config naming mmwsss's ``WSSSRunner`` gets that runner from every entry
# point, so its ``num_classes`` and ``--cfg-options data_root=DIR`` are
# completed as mmwsss's tools complete them before anything is built.
RUNNER_TYPE = 'WSSSRunner'


def _wrap_runner(module: types.ModuleType) -> None:
    cls = module.Runner
    original = cls.__dict__['from_cfg'].__func__
    if hasattr(original, '__wrapped__'):
        return

    def from_cfg(klass, cfg):
        if klass is cls and cfg.get('runner_type') == RUNNER_TYPE:
            from mmwsss.apis.mmseg_tools import WSSSRunner
            return WSSSRunner.from_cfg(cfg)
        return original(klass, cfg)

    from_cfg.__doc__ = original.__doc__
    from_cfg.__wrapped__ = original
    cls.from_cfg = classmethod(from_cfg)


#: MMSeg / MMEngine modules to complete right after their code ran
AFTER_IMPORT = {
    'mmseg.apis.inference': _wrap_init_model,
    'mmseg.apis.mmseg_inferencer': _wrap_inferencer,
    'mmengine.runner.runner': _wrap_runner,
}


class _AfterImportLoader:
    """Runs the original loader, then the module's wrapper."""

    def __init__(self, loader, callback) -> None:
        self.loader, self.callback = loader, callback

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self.loader.exec_module(module)
        self.callback(module)

    def __getattr__(self, name: str):  # get_source, get_code, ...
        return getattr(self.loader, name)


class AfterImportFinder:
    """A ``sys.meta_path`` finder, placed first, for the modules of
    :data:`AFTER_IMPORT` only: their usual spec, with a loader that wraps
    what they define once their code ran."""

    _mmwsss_after_import = True

    @classmethod
    def find_spec(cls, fullname: str, path=None, target=None):
        callback = AFTER_IMPORT.get(fullname)
        if callback is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None  # another finder's module: left as it is
        spec.loader = _AfterImportLoader(spec.loader, callback)
        return spec


def install() -> None:
    """Put both finders on ``sys.meta_path`` once (the ``.pth`` file and
    :mod:`mmwsss.compat` both call this): the placeholder last, the
    after-import one first."""
    if not any(is_placeholder(finder) for finder in sys.meta_path):
        sys.meta_path.append(MmcvExtFinder)
    if not any(getattr(finder, '_mmwsss_after_import', False)
               for finder in sys.meta_path):
        sys.meta_path.insert(0, AfterImportFinder)
    for name, wrap in AFTER_IMPORT.items():  # imported before the finder
        if name in sys.modules:
            wrap(sys.modules[name])


install()
