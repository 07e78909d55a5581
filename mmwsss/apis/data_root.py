"""``--cfg-options data_root=DIR`` on a single-stage config.

MMEngine evaluates a config file when it loads it: ``data_root`` is copied
into every dataset that names it (``dict(data_root=data_root, ...)``)
there and then, so a later override of the top-level ``data_root`` alone
reaches no dataset and the old folder is read, silently.  A pipeline
config passes its ``data_root`` on to its stages itself, where it names
``{data_root}`` (the own-data templates do); one whose stage configs name
their own data folder (MSRC-17, VOC) would ignore it, so
:func:`check_pipeline_data_root` stops such an override with a message.

:func:`apply_data_root_override` gives the override its meaning: every
dataset of the config's dataloaders (inside MMEngine's wrappers too) whose
``data_root`` is the one the config file gave takes the new one; a dataset
pointed elsewhere by its own override keeps its folder.  An override that
reaches no dataset is an error naming the config and what to set instead.
"""
import functools
import os
import os.path as osp
from typing import Iterator, List, Optional, Tuple

from mmengine.config import Config

from mmwsss.utils.paths import DATALOADERS, resolve_path


def _dataset_roots(dataset) -> Iterator[Tuple[dict, str]]:
    """``(dataset config, 'data_root')`` of a dataset config and of those
    inside its wrappers (``datasets`` of ``ConcatDataset``, ``dataset`` of
    ``RepeatDataset``); only those that name a ``data_root``."""
    if not isinstance(dataset, dict):
        return
    if isinstance(dataset.get('data_root'), str):
        yield dataset, 'data_root'
    for inner in dataset.get('datasets') or []:
        yield from _dataset_roots(inner)
    yield from _dataset_roots(dataset.get('dataset'))


def _loader_roots(cfg: Config) -> List[Tuple[dict, str]]:
    """Every dataset ``data_root`` field of the config's dataloaders."""
    fields = []
    for loader in DATALOADERS:
        fields += _dataset_roots((cfg.get(loader) or {}).get('dataset'))
    return fields


def _same_folder(first: str, second: str, config_path: str) -> bool:
    """Whether two data roots name one folder, one of them maybe made
    absolute already (:func:`~mmwsss.apis.prepare_config` did)."""
    return first == second or resolve_path(
        first, config_path) == resolve_path(second, config_path)


def _file_data_root(cfg: Config) -> Optional[str]:
    """The ``data_root`` the config's file gives, before any override
    (``None`` when it gives none)."""
    return _load_data_root(cfg.filename, os.stat(cfg.filename).st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _load_data_root(path: str, mtime_ns: int) -> Optional[str]:
    """The file's ``data_root``, loaded once per version of the file (a
    pipeline prepares its stage configs many times)."""
    return Config.fromfile(path).get('data_root')


def _unreached(cfg: Config, new_root: str, old_root: Optional[str]):
    """The error for an override of ``data_root`` that no dataset reads."""
    where = (f"the config's data_root ({old_root})" if old_root else
             'a top-level data_root: the config has none')
    return ValueError(
        f'{cfg.filename}: data_root={new_root} reaches no dataset: none of '
        f'its dataloaders reads {where}; set <loader>.dataset.data_root '
        '(e.g. test_dataloader.dataset.data_root) instead')


def apply_data_root_override(cfg: Config) -> None:
    """Pass an overridden top-level ``data_root`` on to the datasets that
    used the config file's one (see the module docstring)."""
    new_root, path = cfg.get('data_root'), cfg.filename
    if not isinstance(new_root, str) or cfg.get('stages') or not path or \
            not osp.isfile(path):
        return  # no override to pass on, or no file to compare with
    fields = _loader_roots(cfg)
    if all(container[key] == new_root for container, key in fields):
        return  # the usual case: nothing overridden; no need to reload
    old_root = _file_data_root(cfg)
    if isinstance(old_root, str) and _same_folder(old_root, new_root, path):
        return  # data_root itself was not overridden
    moved = [(c, k) for c, k in fields
             if old_root and _same_folder(c[k], old_root, path)]
    for container, key in moved:
        container[key] = new_root
    if not moved and not any(
            _same_folder(c[k], new_root, path) for c, k in fields):
        raise _unreached(cfg, new_root, old_root)


def check_pipeline_data_root(cfg: Config, config_path: str) -> None:
    """Raise ``ValueError`` when ``data_root`` of a pipeline config was set
    to a folder its stages never read: the pipeline names no
    ``{data_root}`` placeholder, so every stage would read the folder its
    own config names (see the module docstring)."""
    new_root = cfg.get('data_root')
    if not isinstance(new_root, str) or _names_data_root(cfg):
        return
    old_root = Config.fromfile(config_path).get('data_root') \
        if osp.isfile(config_path) else None
    if isinstance(old_root, str) and \
            _same_folder(old_root, new_root, config_path):
        return
    raise ValueError(
        f'{config_path}: data_root={new_root} reaches no stage: this '
        "pipeline's stage configs name their own data folder and it passes "
        'no {data_root} on to them. For your own photos use a template of '
        'configs/custom/ (they take data_root=DIR); to move this dataset, '
        'set common_cfg_options.<loader>.dataset.data_root=DIR for the '
        'train, cam, val and test dataloaders')


def _names_data_root(cfg: Config) -> bool:
    """Whether a pipeline passes ``{data_root}`` on to a stage."""
    return '{data_root}' in repr(cfg.get('stages')) or \
        '{data_root}' in repr(cfg.get('common_cfg_options'))
