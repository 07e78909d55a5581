"""Packing image-level labels into MMSeg data samples."""
import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.datasets.transforms import PackSegInputs

from mmwsss.registry import TRANSFORMS

DEFAULT_META_KEYS = ('img_path', 'seg_map_path', 'ori_shape', 'img_shape',
                     'pad_shape', 'scale_factor', 'flip', 'flip_direction',
                     'reduce_zero_label', 'img_labels', 'sample_idx',
                     'pixel_labelled', 'candidate_sets')


@TRANSFORMS.register_module()
class PackWSSSInputs(PackSegInputs):
    """``PackSegInputs`` that also carries ``img_labels`` (and the sample
    index, which erasing uses to find per-image state) in the data
    sample's metainfo.  ``gt_seg_map`` is packed only when a pipeline loaded
    it, soft targets (``gt_soft_seg``) as ``(C, H, W)`` when there are
    some, proposal boxes (``proposals``) when a pipeline loaded them.

    Images without labels (MMSeg's ``inference_model`` on a bare image
    path, ``MMSegInferencer``) are packed without them: prediction needs
    none, and every loss that does names the missing key itself."""

    def __init__(self, meta_keys=DEFAULT_META_KEYS) -> None:
        super().__init__(meta_keys=meta_keys)

    def transform(self, results: dict) -> dict:
        if 'img_labels' in results:
            results['img_labels'] = [int(c) for c in results['img_labels']]
        packed = super().transform(results)
        if 'gt_soft_seg' in results:  # soft targets: (H, W, C) -> (C, H, W)
            target = np.ascontiguousarray(
                results['gt_soft_seg'].transpose(2, 0, 1))
            packed['data_samples'].gt_soft_seg = PixelData(
                data=torch.from_numpy(target))
        if 'proposals' in results:  # HCP's hypotheses, (N, 4) boxes
            packed['data_samples'].proposals = torch.from_numpy(
                results['proposals'])
            packed['data_samples'].proposal_index = torch.from_numpy(
                results['proposal_index'])
        return packed
