from .cam_generation import make_cams, output_stem, pending_indices
from .config_checks import check_config, dataset_num_classes, model_num_classes
from .inference import (check_checkpoint, init_model,
                        load_state_dict_checked)
from .saliency_generation import (load_saliency_map, make_saliency_maps,
                                  save_saliency_map)
from .pseudo_label_scoring import (parse_thresholds, score_cam_folder,
                                   score_label_folder)

__all__ = [
    'check_checkpoint', 'make_cams', 'output_stem', 'pending_indices',
    'check_config',
    'dataset_num_classes', 'model_num_classes', 'init_model',
    'load_state_dict_checked', 'parse_thresholds', 'score_cam_folder',
    'score_label_folder', 'load_saliency_map', 'make_saliency_maps',
    'save_saliency_map'
]
