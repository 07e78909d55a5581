"""MMSeg's IoUMetric whose prediction PNGs are palette images written
atomically (``tools/test.py --out DIR``).

MMSeg writes grey PNGs in place, so a killed evaluation leaves truncated
files that look finished; here every PNG appears whole or not at all, and
opens in any viewer with the dataset's colours (values stay class ids).
"""
import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS


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
        super().process(data_batch, data_samples)
        if not self.png_dir:
            return
        from mmwsss.apis.pseudo_label_generation import write_label_png
        palette = self.dataset_meta.get('palette') or []
        for sample in data_samples:
            pred = sample['pred_sem_seg']['data'].squeeze().cpu().numpy()
            if sample.get('reduce_zero_label', False):
                pred = pred + 1
            stem = osp.splitext(osp.basename(sample['img_path']))[0]
            write_label_png(osp.join(self.png_dir, stem + '.png'),
                            pred.astype(np.uint8), palette)
