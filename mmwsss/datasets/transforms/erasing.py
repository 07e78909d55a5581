"""The input side of adversarial erasing."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmwsss.registry import TRANSFORMS
from mmwsss.utils.io import IGNORE_INDEX
from mmwsss.utils.regions import grid_to_image


@TRANSFORMS.register_module()
class EraseMinedRegions(BaseTransform):
    """Paint an image's cumulative erasing mask with the mean pixel.

    Place it right after image loading: every later geometric transform
    (resize, crop, flip) then moves the erased area with the image, and after
    normalisation erased pixels are 0, the "erased" value of the AE paper.
    The mask store and fill colour are attached by
    :class:`mmwsss.engine.AdversarialErasingLoop` before training starts
    (before the first erasing step the masks are empty); used without that
    loop the transform raises, rather than silently training on unerased
    images.  A true mask loaded before it (:class:`LoadTrueMaskIfLabelled`)
    is ignored where the image is painted out.
    """

    def __init__(self) -> None:
        self.store = None
        self.fill_bgr = (0, 0, 0)

    def transform(self, results: dict) -> dict:
        if self.store is None:
            raise RuntimeError(
                f'{results.get("img_path")}: EraseMinedRegions has no '
                'erasing masks attached; it only works in a training run '
                "driven by train_cfg=dict(type='AdversarialErasingLoop')")
        mask = self.store.erase_mask(int(results['sample_idx']))
        if mask.any():
            img = results['img'].copy()
            erased = grid_to_image(mask, img.shape[:2])
            img[erased] = np.asarray(self.fill_bgr, dtype=img.dtype)
            results['img'] = img
            if 'gt_seg_map' in results:  # a painted-out pixel shows no class
                true = results['gt_seg_map'].copy()
                true[erased] = IGNORE_INDEX
                results['gt_seg_map'] = true
        return results
