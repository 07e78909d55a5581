"""Building a trained model from a config and a checkpoint."""
import os.path as osp
from typing import Union

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import load_checkpoint

from mmwsss.registry import MODELS
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


def check_checkpoint(cfg: Config, checkpoint: str) -> None:
    """Fail early, naming the file, when ``checkpoint`` does not fit
    ``cfg.model`` (MMEngine's runner only warns about shape mismatches and
    would evaluate a half-random model)."""
    if '://' in checkpoint:
        return  # a model-zoo URL: nothing local to inspect
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    load_state_dict_checked(MODELS.build(cfg.model.copy()), checkpoint)
