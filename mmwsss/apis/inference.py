"""Building a trained model from a config and a checkpoint, and checking
that the checkpoint fits the config (its tensors and its class names)."""
import os.path as osp
import warnings
from typing import Optional, Sequence, Tuple, Union

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import load_checkpoint

from mmwsss.datasets.custom import classes_from_labels_file
from mmwsss.registry import DATASETS, MODELS
from .config_checks import prepare_config


def load_state_dict_checked(model: torch.nn.Module, checkpoint: str) -> dict:
    """Load a checkpoint strictly (MMEngine's loader); a checkpoint of
    another model, e.g. one trained with another ``num_classes``, raises
    an error naming the file and the tensors.  Returns the checkpoint's
    ``meta``."""
    try:
        loaded = load_checkpoint(model, checkpoint, map_location='cpu',
                                 strict=True,
                                 logger=MMLogger.get_current_instance())
    except RuntimeError as exc:
        details = ' '.join(str(exc).split())
        raise ValueError(f'{checkpoint}: does not fit this model (was it '
                         f'trained with another num_classes?): {details}') \
            from exc
    return loaded.get('meta', {}) if isinstance(loaded, dict) else {}


def init_model(config: Union[str, Config], checkpoint: str = None,
               device: str = 'cpu') -> torch.nn.Module:
    """Build ``config.model`` (no pretrained init) and load ``checkpoint``
    strictly; ``model.cfg`` and ``model.dataset_meta`` are set as MMSeg's
    ``init_model`` sets them."""
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    prepare_config(cfg)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model.copy())
    if checkpoint is not None:
        meta = load_state_dict_checked(model, checkpoint)
        if meta.get('dataset_meta'):
            model.dataset_meta = meta['dataset_meta']
    model.cfg = cfg
    return model.to(device).eval()


def check_checkpoint(cfg: Config, checkpoint: str) -> Optional[dict]:
    """Fail early, naming the file, when ``checkpoint`` does not fit
    ``cfg.model`` (MMEngine's runner only warns about shape mismatches and
    would evaluate a half-random model).  Returns the checkpoint's
    ``meta`` (``None`` for a model-zoo URL), for
    :func:`check_checkpoint_classes`."""
    if '://' in checkpoint:
        return None  # a model-zoo URL: nothing local to inspect
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    return load_state_dict_checked(MODELS.build(cfg.model.copy()),
                                   checkpoint)


def dataset_class_names(dataset_cfg: dict) -> Optional[Tuple[str, ...]]:
    """The class names a dataset config will have, read off the config
    (``metainfo.classes``, a labels file that exists, the dataset class's
    ``METAINFO``) without building it: building may scan or generate data
    that a tool running on new images does not have.  ``None`` when they
    cannot be known that way."""
    if not isinstance(dataset_cfg, dict):
        return None
    if dataset_cfg.get('datasets'):  # ConcatDataset: its first part's
        return dataset_class_names(dataset_cfg['datasets'][0])
    if isinstance(dataset_cfg.get('dataset'), dict):  # RepeatDataset etc.
        return dataset_class_names(dataset_cfg['dataset'])
    classes = (dataset_cfg.get('metainfo') or {}).get('classes')
    if classes:
        return tuple(classes)
    if dataset_cfg.get('type') == 'ImageLabelFolderDataset':
        labels_file = osp.join(dataset_cfg.get('data_root') or '',
                               dataset_cfg.get('labels_file', 'labels.txt'))
        return classes_from_labels_file(labels_file) \
            if osp.isfile(labels_file) else None
    dataset_type = dataset_cfg.get('type')
    dataset_cls = DATASETS.get(dataset_type) if isinstance(
        dataset_type, str) else dataset_type
    classes = getattr(dataset_cls, 'METAINFO', {}).get('classes')
    return tuple(classes) if classes else None


def check_checkpoint_classes(checkpoint: str, meta: Optional[dict],
                             classes: Optional[Sequence[str]],
                             source: str) -> None:
    """Raise ``ValueError`` when the class names the checkpoint was trained
    with (``meta['dataset_meta']['classes']``, which MMEngine saves) differ
    from ``classes`` (those of ``source``, e.g. the test dataset), listing
    every differing index: with the same number of classes nothing else
    notices, and the scores or masks would name the wrong classes.  A
    checkpoint without class names only warns."""
    if meta is None or classes is None:
        return
    trained = (meta.get('dataset_meta') or {}).get('classes')
    if not trained:
        warnings.warn(f'{checkpoint}: the checkpoint records no class names '
                      f'(meta.dataset_meta.classes); cannot check that it '
                      f'was trained on the classes of {source}')
        return
    trained, classes = tuple(trained), tuple(classes)
    if trained == classes:
        return
    differing = [
        f'{i}: {_name(trained, i)} (checkpoint) vs {_name(classes, i)}'
        for i in range(max(len(trained), len(classes)))
        if _name(trained, i) != _name(classes, i)
    ]
    raise ValueError(
        f'{checkpoint} was trained on other classes than those of '
        f'{source}; differing class indices: {"; ".join(differing)}')


def _name(classes: Sequence[str], index: int) -> str:
    """``classes[index]`` quoted, or ``<none>`` past its end."""
    return repr(classes[index]) if index < len(classes) else '<none>'
