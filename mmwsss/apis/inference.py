"""Building a trained model from a config and a checkpoint."""
import os.path as osp
from typing import Union

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import _load_checkpoint
from mmseg.registry import MODELS


def load_state_dict_checked(model: torch.nn.Module, checkpoint: str) -> None:
    """Load a checkpoint strictly; shape mismatches (e.g. a checkpoint of a
    model with another ``num_classes``) name the file and the tensor."""
    state = _load_checkpoint(checkpoint, map_location='cpu')
    state = state.get('state_dict', state)
    own = model.state_dict()
    mismatched = [
        f'{key}: checkpoint {tuple(value.shape)} vs model '
        f'{tuple(own[key].shape)}' for key, value in state.items()
        if key in own and own[key].shape != value.shape
    ]
    if mismatched:
        raise ValueError(f'{checkpoint}: does not fit this model (was it '
                         'trained with another num_classes?): ' +
                         '; '.join(mismatched[:3]))
    missing = sorted(set(own) - set(state))
    if missing:
        raise ValueError(f'{checkpoint}: lacks {len(missing)} weights of this '
                         f'model, e.g. {missing[:3]}')
    model.load_state_dict(state, strict=False)


def init_model(config: Union[str, Config], checkpoint: str = None,
               device: str = 'cpu') -> torch.nn.Module:
    """Build ``config.model`` (no pretrained init) and load ``checkpoint``."""
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model_cfg = cfg.model.copy()
    model = MODELS.build(model_cfg)
    if checkpoint is not None:
        load_state_dict_checked(model, checkpoint)
    model.cfg = cfg
    return model.to(device).eval()


def check_checkpoint(cfg: Config, checkpoint: str) -> None:
    """Fail early, naming the file, when ``checkpoint`` does not fit
    ``cfg.model`` (MMEngine's loader only warns about shape mismatches and
    would evaluate a half-random model)."""
    if '://' in checkpoint:
        return  # a model-zoo URL: nothing local to inspect
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    load_state_dict_checked(MODELS.build(cfg.model.copy()), checkpoint)
