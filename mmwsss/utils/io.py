"""Reading and writing the files of a WSSS pipeline, one way each.

Images, masks, saliency maps, CAMs, erasing regions, soft maps and
proposals are written by one step and read by the next; every reader names
the file and what is wrong with it, and every writer goes through
:func:`atomic_write`.  Each kind lives in its own module
(:mod:`.files`, :mod:`.images`, :mod:`.maps`, :mod:`.cam_files`,
:mod:`.regions`, :mod:`.soft_maps`, :mod:`.proposal_arrays`); this one
gathers their names for the callers that import them from here.
"""
from .cam_files import load_cam_file, save_cam_file
from .files import atomic_write, image_stem, read_npz
from .images import (check_decoded_size, check_image_bytes, exif_orientation,
                     image_size, read_image)
from .maps import (IGNORE_COLOUR, IGNORE_INDEX, read_grey_map, read_mask,
                   write_grey_map, write_label_png)
from .proposal_arrays import load_proposal_boxes, read_proposal_arrays
from .regions import load_regions_file, save_regions_file
from .soft_maps import load_soft_map, save_soft_map

__all__ = [
    'IGNORE_COLOUR', 'IGNORE_INDEX', 'atomic_write', 'check_decoded_size',
    'check_image_bytes', 'exif_orientation', 'image_size', 'image_stem',
    'load_cam_file', 'load_proposal_boxes', 'load_regions_file',
    'load_soft_map', 'read_grey_map', 'read_image', 'read_mask', 'read_npz',
    'read_proposal_arrays', 'save_cam_file', 'save_regions_file',
    'save_soft_map', 'write_grey_map', 'write_label_png'
]
