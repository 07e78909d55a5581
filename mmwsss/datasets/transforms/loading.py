"""Loading transforms that fail loudly on bad files.

mmcv's ``LoadImageFromFile`` turns an undecodable file into an obscure
``NoneType`` error and decodes a truncated JPEG silently (grey bottom half).
These variants name the file and the problem instead.
"""
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms import LoadImageFromFile as _LoadImageFromFile
from mmseg.datasets.transforms import LoadAnnotations as _LoadAnnotations

from mmwsss.registry import TRANSFORMS
from mmwsss.utils.io import read_image, read_mask
from ..pixel_labels import remap_mask


@TRANSFORMS.register_module()
class LoadCheckedImageFromFile(_LoadImageFromFile):
    """``LoadImageFromFile`` with clear errors for missing/corrupt/truncated
    images.  Same arguments and outputs as mmcv's transform."""

    def transform(self, results: dict) -> dict:
        img = read_image(results['img_path'], color_type=self.color_type,
                         backend=self.imdecode_backend)
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results


@TRANSFORMS.register_module()
class LoadCheckedAnnotations(_LoadAnnotations):
    """MMSeg's ``LoadAnnotations`` (raw palette indices) that also checks the
    mask has the size of the image loaded before it and, when the dataset
    tells the number of classes, that every value is a class or 255.

    Evaluation pipelines load ground truth with it; segmentation training
    loads *pseudo* masks with it (``pseudo_seg_map_path`` of the dataset),
    never ground truth, except the true masks of the dataset's
    pixel-labelled subset (``pixel_labels``), whose values the info's
    ``label_map`` turns into class indices."""

    def _load_seg_map(self, results: dict) -> None:
        path = results['seg_map_path']
        mask = read_mask(path).astype(np.uint8)
        # the image's size as decoded: a test pipeline may resize the image
        # before loading its mask (MMSeg's order), which must stay full size
        shape = results.get('ori_shape', results.get('img_shape'))
        if shape is not None and tuple(mask.shape) != tuple(shape[:2]):
            raise ValueError(
                f'{path}: mask size {mask.shape} differs from image '
                f'{results.get("img_path")} size {tuple(shape[:2])}')
        mask = remap_mask(  # as MMSeg's LoadAnnotations
            mask, results.get('reduce_zero_label', self.reduce_zero_label),
            results.get('label_map'))
        check_mask_values(mask, results.get('num_classes'), path)
        results['gt_seg_map'] = mask
        results['seg_fields'].append('gt_seg_map')


def check_mask_values(mask: np.ndarray, num_classes, path: str) -> None:
    """Values outside ``[0, num_classes)`` that are not 255 would index past
    the logits (a crash deep in the loss, or silent garbage on CUDA)."""
    if num_classes is None:
        return
    values = np.unique(mask)
    bad = values[(values >= num_classes) & (values != 255)]
    if bad.size:
        raise ValueError(f'{path}: mask values {bad.tolist()} are outside '
                         f'[0, {num_classes}) and not 255 (ignore)')


@TRANSFORMS.register_module()
class CheckImageLabels(BaseTransform):
    """Validate ``img_labels`` against the number of classes (a guard for
    hand-written labels files and converted datasets)."""

    def __init__(self, num_classes: int) -> None:
        self.num_classes = num_classes

    def transform(self, results: dict) -> dict:
        labels = results.get('img_labels')
        if labels is None:
            raise KeyError(f'{results.get("img_path")}: data info has no '
                           'img_labels; use an mmwsss dataset')
        bad = [c for c in labels if not 1 <= c < self.num_classes]
        if bad:
            raise ValueError(f'{results.get("img_path")}: image labels {bad} '
                             f'outside [1, {self.num_classes})')
        return results
