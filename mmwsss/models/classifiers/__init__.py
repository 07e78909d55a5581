from .cam import (DEFAULT_CAM_SCALES, batch_cams, cams_to_label_map,
                  multi_scale_cam_logits, normalise_cams)
from .cam_classifier import CAMClassifier
from .hcp_classifier import HCPClassifier

__all__ = [
    'DEFAULT_CAM_SCALES', 'batch_cams', 'cams_to_label_map',
    'multi_scale_cam_logits', 'normalise_cams', 'CAMClassifier',
    'HCPClassifier'
]
