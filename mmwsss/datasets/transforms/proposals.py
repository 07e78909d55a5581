"""Object proposals through the data pipeline (the HCP classifier's
hypotheses)."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmwsss.registry import TRANSFORMS
from mmwsss.utils.proposal_arrays import load_proposal_boxes


@TRANSFORMS.register_module()
class LoadProposals(BaseTransform):
    """Read the image's proposal boxes (``proposal_path``, routed by the
    dataset's ``proposal_path``) into ``proposals`` ``(N, 4)``, mapped onto
    the image as the pipeline has transformed it so far, plus the whole
    frame (HCP's first hypothesis is the image itself); ``proposal_index``
    ``(N,)`` says which proposal of the file each box is (-1: the whole
    frame).

    Put it after the geometric transforms: it follows ``scale_factor``
    (resize) and ``flip``; a crop cannot be followed and is an error.

    Args:
        max_count: keep the first (best ranked) ``max_count`` boxes.
        min_side: drop boxes narrower or lower than this, in pixels of the
            transformed image (they pool nothing).
    """

    def __init__(self, max_count: int = 100, min_side: float = 4.0) -> None:
        self.max_count, self.min_side = max_count, min_side

    def transform(self, results: dict) -> dict:
        path = results.get('proposal_path')
        if path is None:
            raise KeyError(f'{results.get("img_path")}: no proposal_path; '
                           'set the dataset\'s proposal_path')
        boxes = load_proposal_boxes(path)[:self.max_count].copy()
        height, width = results['img_shape'][:2]
        scale = results.get('scale_factor', (1.0, 1.0))
        ori_h, ori_w = results.get('ori_shape', (height, width))[:2]
        if abs(ori_h * scale[1] - height) > 1 or abs(ori_w * scale[0] -
                                                     width) > 1:
            raise ValueError(
                f'{results.get("img_path")}: image {width}x{height} is not '
                f'the original {ori_w}x{ori_h} scaled by {scale}: was it '
                'cropped?  LoadProposals follows resizes and flips only')
        boxes[:, 0::2] *= scale[0]
        boxes[:, 1::2] *= scale[1]
        if results.get('flip'):
            if results.get('flip_direction', 'horizontal') != 'horizontal':
                raise ValueError('LoadProposals follows horizontal flips '
                                 'only')
            boxes[:, [0, 2]] = width - boxes[:, [2, 0]]
        boxes = np.clip(boxes, 0, [width, height, width, height])
        keep = ((boxes[:, 2] - boxes[:, 0]) >= self.min_side) & \
            ((boxes[:, 3] - boxes[:, 1]) >= self.min_side)
        whole = np.array([[0, 0, width, height]], np.float32)
        results['proposals'] = np.concatenate([whole, boxes[keep]]).astype(
            np.float32)
        results['proposal_index'] = np.concatenate(
            [[-1], np.flatnonzero(keep)]).astype(np.int64)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(max_count={self.max_count}, '
                f'min_side={self.min_side})')
