from .coco import COCO_CLASSES, COCOWSSSDataset
from .custom import (ImageLabelFolderDataset, classes_from_labels_file,
                     parse_labels_file, read_labels_file)
from .dataset_check import (MIN_TRAIN_IMAGES, DatasetReport,
                            check_dataset_configs, check_training_data)
from .erasing_masks import ErasingMaskStore
from .image_label_dataset import (ImageLabelSegDataset, labels_from_mask,
                                  read_split, voc_palette)
from .msrc17 import MSRC17_CLASSES, MSRC17Dataset
from .samplers import PixelBalancedSampler
from .synthetic import (SYNTHETIC_CLASSES, SyntheticWSSSDataset,
                        generate_synthetic_dataset)
from .transforms import *  # noqa: F401,F403
from .voc import VOC_CLASSES, VOCWSSSDataset

__all__ = [
    'COCO_CLASSES', 'COCOWSSSDataset', 'ImageLabelFolderDataset',
    'classes_from_labels_file', 'parse_labels_file', 'read_labels_file',
    'MIN_TRAIN_IMAGES', 'DatasetReport', 'check_dataset_configs',
    'check_training_data',
    'ErasingMaskStore', 'ImageLabelSegDataset', 'labels_from_mask',
    'read_split', 'voc_palette', 'MSRC17_CLASSES', 'MSRC17Dataset',
    'PixelBalancedSampler',
    'SYNTHETIC_CLASSES', 'SyntheticWSSSDataset',
    'generate_synthetic_dataset', 'VOC_CLASSES', 'VOCWSSSDataset'
]
