"""True masks for a classifier's pixel-labelled images.

A classifier trains on image tags; where the dataset has a pixel-labelled
subset (``pixel_labels``), the CAM classifier can also learn where each
class is from those images (``pixel_loss_weight`` of
:class:`~mmwsss.models.CAMClassifier`).  Its pipeline then needs the true
mask of every labelled image and, so that a batch stacks, a mask of the
same size for every other image: all ignored (255), which no loss reads.
"""
import numpy as np
from mmcv.transforms import BaseTransform

from mmwsss.registry import TRANSFORMS
from mmwsss.utils.io import IGNORE_INDEX
from .soft_targets import checked_true_mask


@TRANSFORMS.register_module()
class LoadTrueMaskIfLabelled(BaseTransform):
    """``gt_seg_map``: the true mask of a pixel-labelled image (checked:
    size, values), all 255 for a tags-only one; the mask of any image
    outside the subset is never read.  Place it right after image loading
    (before :class:`EraseMinedRegions`, which ignores the erased pixels of
    the mask too, and before every geometric transform)."""

    def transform(self, results: dict) -> dict:
        if results.get('pixel_labelled'):
            mask = checked_true_mask(results)
        else:
            mask = np.full(results['img_shape'][:2], IGNORE_INDEX, np.uint8)
        results['gt_seg_map'] = mask
        fields = results.setdefault('seg_fields', [])
        if 'gt_seg_map' not in fields:
            fields.append('gt_seg_map')
        return results
