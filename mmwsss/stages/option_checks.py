"""Checking what a pipeline changes in its stages' configs before anything
runs: the dotted keys of each stage's ``cfg_options`` and of the
pipeline's ``common_cfg_options``, and the ``{placeholders}`` of the
latter.

MMEngine merges an unknown key silently: ``train_dataloadr.dataset.x``
would add a dataloader nobody reads, and the stage would train on what its
config said before.  A key's first part must be a key of the config it
changes (or one MMEngine's runner reads although configs often omit it),
and each part before the last must exist in the part above it where that
is a dict; only the last part may be new (a dataset argument the config
leaves at its default).  A common option goes to every stage, so it must
fit at least one of their configs (a ``cam_dataloader`` option is for the
stages whose config has one).  Each config file is read once, after its
``{placeholders}`` are filled with the pipeline's variables; its data is
never opened.
"""
import os.path as osp
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from mmengine.config import Config

from .base import fill_placeholders
from .spec_checks import (BUILTIN_PLACEHOLDERS, closest, missing_part,
                          placeholders)

#: A loaded config's top level, or why it could not be read.
Loaded = Union[Dict[str, Any], str]


def common_placeholder_problems(common: Dict[str, Any],
                                variables: Iterable[str]) -> List[str]:
    """Placeholders of ``common_cfg_options`` that name nothing: they are
    filled for every stage, so only the pipeline's variables,
    ``{work_dir}`` and ``{stage_dir}`` are known to all of them."""
    known = set(variables) | set(BUILTIN_PLACEHOLDERS)
    return [f'common_cfg_options: unknown placeholder {{{name}}}'
            f'{closest(name, known)}'
            for name in sorted(placeholders(common)) if name not in known]


class StageConfigs:
    """Stage configs read for checking, each file once; a file that is
    missing or broken is one problem, naming every stage that uses it."""

    def __init__(self, config_dir: str, variables: Dict[str, str]) -> None:
        self.config_dir = config_dir
        self.variables = variables
        self._files: Dict[str, Loaded] = {}
        self._users: Dict[str, List[str]] = {}

    def load(self, name: str, config: Any) -> Tuple[Optional[dict], str]:
        """``(top level of the config, its path)`` (``''`` inline);
        ``None`` when the config cannot be known before the run (it names
        an input or the stage's folder), or when its file is missing or
        broken (see :meth:`problems`)."""
        if isinstance(config, dict):
            return dict(config), ''
        if not isinstance(config, str) or \
                not placeholders(config) <= set(self.variables):
            return None, ''
        path = fill_placeholders(config, self.variables)
        if not osp.isabs(path):
            path = osp.join(self.config_dir, path)
        path = osp.normpath(path)
        if path not in self._files:
            self._files[path] = self._read(path)
        loaded = self._files[path]
        if isinstance(loaded, str):
            self._users.setdefault(path, []).append(name)
            return None, path
        return loaded, path

    def problems(self) -> List[str]:
        """The config files that could not be read, with their stages."""
        return [f'config {path} {self._files[path]} (stage'
                f'{"s" if len(names) > 1 else ""} '
                f'{", ".join(map(repr, names))})'
                for path, names in self._users.items()]

    @staticmethod
    def _read(path: str) -> Loaded:
        if not osp.isfile(path):
            return 'does not exist'
        try:
            cfg = Config.fromfile(path)
        except Exception as exc:  # any error of the user's config file
            return f'cannot be read: {type(exc).__name__}: {exc}'
        return dict(cfg.items())


def stage_option_problems(name: str, options: Dict[str, Any],
                          tree: Dict[str, Any], where: str) -> List[str]:
    """The ``cfg_options`` keys of stage ``name`` that fit no part of its
    config ``tree``."""
    problems = []
    for key in options:
        missing = missing_part(tree, key)
        if missing:
            part, hint = missing
            problems.append(f'stage {name!r}: cfg_options key {key!r}: its '
                            f'config ({where or "inline"}) has no '
                            f'{part!r}{hint}')
    return problems


def common_option_problems(common: Dict[str, Any],
                           trees: List[Dict[str, Any]]) -> List[str]:
    """The ``common_cfg_options`` keys that fit none of the stage configs
    (``trees``) they are merged into."""
    problems = []
    for key in common:
        missing = [missing_part(tree, key) for tree in trees]
        if trees and all(missing):
            part, hint = missing[0]
            problems.append(f'common_cfg_options key {key!r}: no stage\'s '
                            f'config has {part!r}{hint}')
    return problems


def option_problems(scope: List[Tuple[str, dict]],
                    variables: Dict[str, str], config_dir: str,
                    common: Dict[str, Any]) -> List[str]:
    """Every stage's config read (missing or broken files are problems)
    and its ``cfg_options`` keys checked against it; the
    ``common_cfg_options`` keys checked against all of them."""
    configs = StageConfigs(config_dir, variables)
    problems: List[str] = []
    trees = []
    for name, spec in scope:
        tree, where = configs.load(name, spec.get('config'))
        if tree is None:
            continue
        trees.append(tree)
        options = spec.get('cfg_options') or {}
        if isinstance(options, dict):
            problems += stage_option_problems(name, options, tree, where)
    return (configs.problems() + problems +
            common_option_problems(common, trees))
