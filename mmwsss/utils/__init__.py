from .io import (IGNORE_INDEX, atomic_write, image_stem, load_cam_file,
                 load_regions_file, read_grey_map, read_image, read_mask,
                 save_cam_file, save_regions_file, write_grey_map,
                 write_label_png)
from .labels import labels_to_multi_hot
from .per_image import ImageShard, worker_pool

__all__ = [
    'IGNORE_INDEX', 'atomic_write', 'image_stem', 'load_cam_file',
    'load_regions_file', 'read_grey_map', 'read_image', 'read_mask',
    'save_cam_file', 'save_regions_file', 'write_grey_map',
    'write_label_png', 'labels_to_multi_hot', 'ImageShard', 'worker_pool'
]
