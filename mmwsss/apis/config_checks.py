"""Completing and checking a config before anything expensive starts, so
mistakes surface as one clear message naming the config file.

:func:`prepare_config` is what every entry point (``tools/*.py``, pipeline
stages, MMSeg's ``tools/train.py`` through ``runner_type='WSSSRunner'``)
runs on a loaded config: an overridden ``data_root`` reaches the datasets
(:mod:`mmwsss.apis.data_root`), relative data and weight paths become
absolute (:mod:`mmwsss.utils.paths`), a model whose ``num_classes`` is
``None`` takes the number from its training dataset (a user's labels file
decides how many classes there are), and :func:`check_config` verifies the
result.
"""
import os.path as osp
from typing import Iterator, List, Optional, Tuple

from mmengine.config import Config

from mmwsss.datasets.custom import classes_from_labels_file
from mmwsss.models.weight_init import split_scheme
from mmwsss.registry import DATASETS
from mmwsss.utils.paths import (DATALOADERS, TRAINING_LOADERS,
                                resolve_config_paths)
from mmwsss.utils.workers import resolve_loader_workers
from .data_root import apply_data_root_override

#: where ``num_classes=None`` is read from: the training images first
_CLASS_COUNT_LOADERS = TRAINING_LOADERS + tuple(
    key for key in DATALOADERS if key not in TRAINING_LOADERS)


def class_heads(model_cfg: dict) -> List[dict]:
    """The head configs of a CAM classifier or MMSeg segmentor that hold
    ``num_classes`` (a ``PSLHead`` carries it in its wrapped
    ``seg_head``)."""
    heads = []
    for key in ('head', 'decode_head', 'auxiliary_head'):
        head = model_cfg.get(key)
        for item in head if isinstance(head, (list, tuple)) else [head]:
            if isinstance(item, dict) and isinstance(item.get('seg_head'),
                                                     dict):
                item = item['seg_head']
            if isinstance(item, dict) and 'num_classes' in item:
                heads.append(item)
    return heads


def model_num_classes(model_cfg: dict) -> Optional[int]:
    """``num_classes`` of a CAM classifier or MMSeg segmentor config
    (``None`` until :func:`prepare_config` took it from the dataset)."""
    for head in class_heads(model_cfg):
        if head['num_classes'] is not None:
            return int(head['num_classes'])
    return None


def dataset_num_classes(dataset_cfg: dict) -> Optional[int]:
    """Number of classes (incl. background) a dataset config will have;
    MMEngine's wrappers (``ConcatDataset``, ``RepeatDataset``) have their
    parts' number, which must agree."""
    if dataset_cfg.get('datasets'):
        counts = {dataset_num_classes(d) for d in dataset_cfg['datasets']}
        counts.discard(None)
        if len(counts) > 1:
            raise ValueError(f'the datasets of a {dataset_cfg.get("type")} '
                             f'have different numbers of classes: {counts}')
        return counts.pop() if counts else None
    if isinstance(dataset_cfg.get('dataset'), dict):
        return dataset_num_classes(dataset_cfg['dataset'])
    metainfo = dataset_cfg.get('metainfo') or {}
    if 'classes' in metainfo:
        return len(metainfo['classes'])
    if dataset_cfg.get('type') == 'ImageLabelFolderDataset':
        labels_file = osp.join(dataset_cfg.get('data_root') or '',
                               dataset_cfg.get('labels_file', 'labels.txt'))
        return len(classes_from_labels_file(labels_file))
    dataset_type = dataset_cfg.get('type')
    if isinstance(dataset_type, str):
        dataset_cls = DATASETS.get(dataset_type)
    else:
        dataset_cls = dataset_type
    classes = getattr(dataset_cls, 'METAINFO', {}).get('classes')
    return len(classes) if classes else None


def _local_checkpoints(node, path: str = 'model') -> Iterator[Tuple[str, str]]:
    """(config key, path) of every local pretrained-weights path in a model
    config (``init_cfg`` checkpoints and backbone ``checkpoint`` args)."""
    if isinstance(node, dict):
        if node.get('type') == 'Pretrained' and isinstance(
                node.get('checkpoint'), str):
            yield f'{path}.checkpoint', node['checkpoint']
        if node.get('type') == 'TorchvisionBackbone' and isinstance(
                node.get('checkpoint'), str):
            yield f'{path}.checkpoint', node['checkpoint']
        for key, value in node.items():
            yield from _local_checkpoints(value, f'{path}.{key}')
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            yield from _local_checkpoints(value, f'{path}[{index}]')


def prepare_config(cfg: Config, config_path: Optional[str] = None) -> Config:
    """Resolve relative paths and fill ``num_classes=None`` from the
    training dataset (see the module docstring); returns ``cfg``."""
    apply_data_root_override(cfg)  # data_root=DIR reaches the datasets
    resolve_config_paths(cfg, config_path)
    heads = [h for h in class_heads(cfg.get('model') or {})
             if h['num_classes'] is None]
    if heads:
        for loader in _CLASS_COUNT_LOADERS:
            dataset = (cfg.get(loader) or {}).get('dataset')
            count = dataset_num_classes(dataset) if dataset else None
            if count:
                for head in heads:
                    head['num_classes'] = count
                break
        else:
            raise ValueError(
                f'{config_path or cfg.filename}: model num_classes=None asks '
                'for the number of classes of the training dataset, but no '
                'dataloader names a dataset that knows it')
    balance_pixel_labels(cfg)
    resolve_loader_workers(cfg)  # num_workers='auto': the machine's cores
    return cfg


#: dataset arguments that make it serve training targets
_TARGET_ROUTES = ('pseudo_seg_map_path', 'saliency_map_path', 'soft_map_path')


def _has_pixel_subset(dataset: dict) -> bool:
    """Whether a dataset config names pixel-labelled images to balance: a
    ``pixel_labels`` dict (unless ``balance=False``), or an own-data
    folder (``'auto'``, its default) holding ``masks/``."""
    subset = dataset.get('pixel_labels', 'auto'
                         if dataset.get('type') == 'ImageLabelFolderDataset'
                         else None)
    if subset == 'auto':
        return osp.isdir(osp.join(dataset.get('data_root') or '', 'masks'))
    return isinstance(subset, dict) and subset.get('balance', True)


def balance_pixel_labels(cfg: Config) -> None:
    """A training dataloader whose dataset serves targets (pseudo masks,
    saliency or soft maps) and has a pixel-labelled subset draws that
    subset as often as the other images
    (:class:`mmwsss.datasets.PixelBalancedSampler`, in place of MMEngine's
    ``DefaultSampler``; epochs keep their length)."""
    loader = cfg.get('train_dataloader') or {}
    dataset, sampler = loader.get('dataset'), loader.get('sampler')
    if not isinstance(dataset, dict) or not isinstance(sampler, dict):
        return
    if sampler.get('type') not in ('DefaultSampler', 'PixelBalancedSampler'):
        return
    if any(dataset.get(key) is not None for key in _TARGET_ROUTES) and \
            _has_pixel_subset(dataset):
        sampler['type'] = 'PixelBalancedSampler'


def check_config(cfg: Config, cfg_path: str = '<config>') -> None:
    """Raise ``ValueError``/``FileNotFoundError`` naming ``cfg_path`` when
    the model's ``num_classes`` disagrees with a dataset, or a local
    pretrained-weights file does not exist."""
    model_classes = model_num_classes(cfg.model)
    for loader in DATALOADERS:
        dataset = (cfg.get(loader) or {}).get('dataset')
        if not isinstance(dataset, dict) or model_classes is None:
            continue
        data_classes = dataset_num_classes(dataset)
        if data_classes is not None and data_classes != model_classes:
            raise ValueError(
                f'{cfg_path}: model num_classes={model_classes} but '
                f'{loader}.dataset ({dataset.get("type")}) has '
                f'{data_classes} classes (background included)')
    load_from = cfg.get('load_from')
    if load_from and '://' not in load_from and not osp.isfile(load_from):
        raise FileNotFoundError(
            f'{cfg_path}: load_from checkpoint {load_from} does not exist '
            '(train the model it names first, or override load_from)')
    for key, checkpoint in _local_checkpoints(cfg.model):
        _, checkpoint = split_scheme(checkpoint)  # converter://local/path
        if '://' in checkpoint:
            continue
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(
                f'{cfg_path}: pretrained weights {checkpoint} ({key}) do not '
                'exist; see README ("Pretrained weights") for how to make '
                'them')
