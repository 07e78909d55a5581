from .io import atomic_write, load_cam_file, read_split, save_cam_file
from .labels import labels_to_multi_hot

__all__ = [
    'atomic_write', 'load_cam_file', 'read_split', 'save_cam_file',
    'labels_to_multi_hot'
]
