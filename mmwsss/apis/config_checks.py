"""Checks run on a config before anything expensive starts, so mistakes
surface as one clear message naming the config file."""
import os.path as osp
from typing import Iterator, Optional, Tuple

from mmengine.config import Config
from mmseg.registry import DATASETS

from mmwsss.models.weight_init import split_scheme


def model_num_classes(model_cfg: dict) -> Optional[int]:
    """``num_classes`` of a CAM classifier or MMSeg segmentor config (a
    ``PSLHead`` carries it in its wrapped ``seg_head``)."""
    for key in ('head', 'decode_head'):
        head = model_cfg.get(key)
        if isinstance(head, dict) and isinstance(head.get('seg_head'), dict):
            head = head['seg_head']
        if isinstance(head, dict) and 'num_classes' in head:
            return int(head['num_classes'])
    return None


def dataset_num_classes(dataset_cfg: dict) -> Optional[int]:
    """Number of classes (incl. background) a dataset config will have."""
    metainfo = dataset_cfg.get('metainfo') or {}
    if 'classes' in metainfo:
        return len(metainfo['classes'])
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


def check_config(cfg: Config, cfg_path: str = '<config>') -> None:
    """Raise ``ValueError``/``FileNotFoundError`` naming ``cfg_path`` when
    the model's ``num_classes`` disagrees with a dataset, or a local
    pretrained-weights file does not exist."""
    model_classes = model_num_classes(cfg.model)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                   'cam_dataloader'):
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
