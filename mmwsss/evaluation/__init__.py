from .mask_analysis import ERROR_KINDS, analyze_confusion, error_table
from .metrics import *  # noqa: F401,F403
from .pseudo_label_eval import (ConfusionMatrix, score_cam_folder,
                                score_label_folder, sweep_cam_thresholds,
                                with_error_split)

__all__ = [
    'ERROR_KINDS', 'analyze_confusion', 'error_table', 'ConfusionMatrix',
    'score_cam_folder', 'score_label_folder', 'sweep_cam_thresholds',
    'with_error_split'
]
