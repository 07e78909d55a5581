"""High-level APIs: build a trained model, train resumably, check a config
before anything expensive starts, and what MMSeg's own tools need to run
mmwsss configs (a runner that completes the config, a visualisation hook
that does not build the train loop)."""
from .config_checks import (check_config, dataset_num_classes,
                            model_num_classes, prepare_config)
from .data_root import check_pipeline_data_root
from .inference import check_checkpoint, init_model, load_state_dict_checked
from .mmseg_tools import (WSSSRunner, WSSSVisualizationHook,
                          complete_model_config)
from .training import keep_random_states, prepare_launcher, train_resumable

__all__ = [
    'complete_model_config',
    'check_checkpoint', 'check_config', 'check_pipeline_data_root',
    'dataset_num_classes',
    'init_model', 'keep_random_states', 'load_state_dict_checked',
    'model_num_classes', 'prepare_config',
    'prepare_launcher', 'train_resumable', 'WSSSRunner',
    'WSSSVisualizationHook'
]
