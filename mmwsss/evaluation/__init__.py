from .metrics import *  # noqa: F401,F403
from .pseudo_label_eval import ConfusionMatrix, sweep_cam_thresholds

__all__ = ['ConfusionMatrix', 'sweep_cam_thresholds']
