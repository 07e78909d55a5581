"""Soft segmentation targets: from a saliency map and the image labels (the
supervision of STC's initial network), or a soft localization map (HCP's
proposal votes); for the images of a dataset's pixel-labelled subset, the
one-hot of their true mask instead (the best target there is)."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmwsss.registry import TRANSFORMS
from mmwsss.utils.io import IGNORE_INDEX, load_soft_map, read_grey_map
from ..pixel_labels import read_true_mask
from .loading import LoadCheckedAnnotations, check_mask_values


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


def one_hot_targets(mask: np.ndarray, num_classes: int) -> np.ndarray:
    """``(H, W, C)`` float32 one-hot of a class-index mask; ignored pixels
    (255) get an all-zero row, which the soft-label loss skips (as HCP's
    soft maps mark them)."""
    target = np.zeros(mask.shape + (num_classes, ), np.float32)
    rows, cols = np.nonzero(mask != IGNORE_INDEX)
    target[rows, cols, mask[rows, cols]] = 1.0
    return target


def checked_true_mask(results: dict) -> np.ndarray:
    """The true mask of a pixel-labelled image, checked against the loaded
    image's size and the class count."""
    mask = read_true_mask(results)
    path = results['true_seg_map_path']
    shape = tuple(results['img_shape'][:2])
    if mask.shape != shape:
        raise ValueError(f'{path}: mask size {mask.shape} differs from image '
                         f'{results["img_path"]} size {shape}')
    check_mask_values(mask, results['num_classes'], path)
    return mask


def true_mask_targets(results: dict) -> np.ndarray:
    """Soft targets of a pixel-labelled image: its true mask, one-hot."""
    return one_hot_targets(checked_true_mask(results), results['num_classes'])


def _set_soft_target(results: dict, target: np.ndarray) -> dict:
    results['gt_soft_seg'] = target
    results.setdefault('seg_fields', []).append('gt_soft_seg')
    return results


@TRANSFORMS.register_module()
class SaliencySoftTargets(BaseTransform):
    """Read the image's saliency map (``saliency_path``, routed by the
    dataset's ``saliency_map_path``) and turn it, with ``img_labels``, into
    the soft target ``gt_soft_seg`` (:func:`saliency_soft_targets`).

    Put it right after image loading: the target is a segmentation field,
    so every later geometric transform (resize, crop, flip) moves it with
    the image; ``PackWSSSInputs`` packs it as ``(C, H, W)``.  An image of
    the dataset's pixel-labelled subset gets its true mask, one-hot
    (:func:`true_mask_targets`), and its saliency map is not read.
    """

    def transform(self, results: dict) -> dict:
        if 'saliency_path' not in results:
            raise KeyError(f'{results.get("img_path")}: no saliency_path; '
                           'set the dataset\'s saliency_map_path')
        if results.get('pixel_labelled'):
            return _set_soft_target(results, true_mask_targets(results))
        saliency = read_grey_map(results['saliency_path'],
                                 results['img_shape'])
        return _set_soft_target(
            results,
            saliency_soft_targets(saliency, results['img_labels'],
                                  results['num_classes']))


@TRANSFORMS.register_module()
class LoadSoftMap(BaseTransform):
    """Read the image's soft localization map (``soft_map_path``, routed by
    the dataset's ``soft_map_path``) as the soft target ``gt_soft_seg``
    ``(H, W, C)``: its distribution over background and the labelled
    classes, zero elsewhere; ignored pixels get an all-zero row, which the
    soft-label loss skips.  Put it right after image loading, like
    :class:`SaliencySoftTargets`, which it follows for pixel-labelled
    images too (their true mask, one-hot; the soft map is not read)."""

    def transform(self, results: dict) -> dict:
        path = results.get('soft_map_path')
        if path is None:
            raise KeyError(f'{results.get("img_path")}: no soft_map_path; '
                           'set the dataset\'s soft_map_path')
        if results.get('pixel_labelled'):
            return _set_soft_target(results, true_mask_targets(results))
        soft = load_soft_map(path)
        shape = tuple(results['img_shape'][:2])
        if soft['probs'].shape[1:] != shape:
            raise ValueError(f'{path}: soft map size {soft["probs"].shape[1:]}'
                             f' differs from image {results["img_path"]} '
                             f'size {shape}')
        num_classes = results['num_classes']
        if soft['class_ids'].max(initial=0) >= num_classes:
            raise ValueError(f'{path}: class ids {soft["class_ids"]} outside '
                             f'the dataset\'s {num_classes} classes')
        target = np.zeros(shape + (num_classes, ), np.float32)
        target[..., soft['class_ids']] = soft['probs'].transpose(1, 2, 0)
        target[soft['ignore']] = 0
        return _set_soft_target(results, target)


@TRANSFORMS.register_module()
class LoadSegTargets(BaseTransform):
    """An image's training target, whichever the dataset routes: soft
    targets from its saliency map when it has ``saliency_path``
    (``saliency_map_path`` of the dataset) or from its soft localization
    map (``soft_map_path``), else its (pseudo) mask
    (:class:`LoadCheckedAnnotations`); a pixel-labelled image gets its
    true mask either way (one-hot where the others get soft targets).
    One training pipeline then serves every stage of STC (the first trains
    on saliency, the next ones on predicted masks) and HCP's segmentor,
    with the same network and augmentation."""

    def __init__(self) -> None:
        self.saliency = SaliencySoftTargets()
        self.soft_map = LoadSoftMap()
        self.hard = LoadCheckedAnnotations()

    def transform(self, results: dict) -> dict:
        if 'saliency_path' in results:
            return self.saliency(results)
        if 'soft_map_path' in results:
            return self.soft_map(results)
        return self.hard(results)
