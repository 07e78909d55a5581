"""Soft segmentation targets from a saliency map and the image labels (the
supervision of STC's initial network)."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmwsss.registry import TRANSFORMS
from mmwsss.utils.io import read_grey_map
from .loading import LoadCheckedAnnotations


def saliency_soft_targets(saliency: np.ndarray, labels, num_classes: int
                          ) -> np.ndarray:
    """``(H, W, C)`` float32 targets: background ``1 - s``, the salient
    probability ``s`` shared equally among the image's labelled classes
    (one class on the simple images STC starts from; with several, a
    salient pixel is equally likely any of them, since saliency does not
    tell them apart).  An image without labels is background everywhere."""
    saliency = np.clip(saliency.astype(np.float32), 0.0, 1.0)
    target = np.zeros(saliency.shape + (num_classes, ), np.float32)
    labels = [int(c) for c in labels]
    if not labels:
        target[..., 0] = 1.0
        return target
    target[..., 0] = 1.0 - saliency
    for cls in labels:
        target[..., cls] = saliency / len(labels)
    return target


@TRANSFORMS.register_module()
class SaliencySoftTargets(BaseTransform):
    """Read the image's saliency map (``saliency_path``, routed by the
    dataset's ``saliency_map_path``) and turn it, with ``img_labels``, into
    the soft target ``gt_soft_seg`` (:func:`saliency_soft_targets`).

    Put it right after image loading: the target is a segmentation field,
    so every later geometric transform (resize, crop, flip) moves it with
    the image; ``PackWSSSInputs`` packs it as ``(C, H, W)``.
    """

    def transform(self, results: dict) -> dict:
        if 'saliency_path' not in results:
            raise KeyError(f'{results.get("img_path")}: no saliency_path; '
                           'set the dataset\'s saliency_map_path')
        saliency = read_grey_map(results['saliency_path'],
                                 results['img_shape'])
        results['gt_soft_seg'] = saliency_soft_targets(
            saliency, results['img_labels'], results['num_classes'])
        results.setdefault('seg_fields', []).append('gt_soft_seg')
        return results


@TRANSFORMS.register_module()
class LoadSegTargets(BaseTransform):
    """An image's training target, whichever the dataset routes: soft
    targets from its saliency map when it has ``saliency_path``
    (``saliency_map_path`` of the dataset), else its (pseudo) mask
    (:class:`LoadCheckedAnnotations`).  One training pipeline then serves
    every stage of STC: the first trains on saliency, the next ones on
    predicted masks, with the same network and augmentation."""

    def __init__(self) -> None:
        self.soft = SaliencySoftTargets()
        self.hard = LoadCheckedAnnotations()

    def transform(self, results: dict) -> dict:
        if 'saliency_path' in results:
            return self.soft(results)
        return self.hard(results)
