"""MMSeg's IoUMetric, checking the ground truth and writing prediction
PNGs as palette images, atomically (``tools/test.py --out DIR``).

MMSeg writes grey PNGs in place, so a killed evaluation leaves truncated
files that look finished; here every PNG appears whole or not at all, and
opens in any viewer with the dataset's colours (values stay class ids).
MMSeg's metric also drops ground-truth values outside the classes without a
word and fails on a mask of another size with a bare shape error; here both
name the mask file.
"""
import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np
from mmseg.evaluation import IoUMetric

from mmwsss.registry import METRICS
from mmwsss.utils.io import image_stem, write_label_png


@METRICS.register_module()
class WSSSIoUMetric(IoUMetric):
    """``IoUMetric``; ``output_dir`` receives ``<image stem>.png`` palette
    masks of the predictions (ignored pixels never occur in predictions).
    ``format_only=True`` writes them without ground truth."""

    def __init__(self, output_dir: Optional[str] = None, **kwargs) -> None:
        super().__init__(output_dir=None, **kwargs)
        self.png_dir = output_dir
        if output_dir:
            os.makedirs(output_dir, exist_ok=True)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        if not self.format_only:
            for sample in data_samples:
                self._check_ground_truth(sample)
        super().process(data_batch, data_samples)
        if not self.png_dir:
            return
        palette = self.dataset_meta.get('palette') or []
        for sample in data_samples:
            pred = sample['pred_sem_seg']['data'].squeeze().cpu().numpy()
            if sample.get('reduce_zero_label', False):
                pred = pred + 1
            write_label_png(osp.join(self.png_dir,
                                     image_stem(sample['img_path']) + '.png'),
                            pred.astype(np.uint8), palette)

    def _check_ground_truth(self, sample: dict) -> None:
        gt = sample['gt_sem_seg']['data']
        pred = sample['pred_sem_seg']['data']
        path = sample.get('seg_map_path') or sample.get('img_path')
        if tuple(gt.shape[-2:]) != tuple(pred.shape[-2:]):
            raise ValueError(
                f'{path}: ground-truth mask of size {tuple(gt.shape[-2:])} '
                f'for a prediction of size {tuple(pred.shape[-2:])} (image '
                f'{sample.get("img_path")})')
        num_classes = len(self.dataset_meta['classes'])
        values = gt.unique()
        bad = values[(values >= num_classes) & (values != self.ignore_index)]
        if len(bad):
            raise ValueError(
                f'{path}: mask values {bad.tolist()} are outside [0, '
                f'{num_classes}) and not {self.ignore_index} (ignore)')
