"""Image-level multi-label classification metric (mAP, F1).

The per-class numbers are mmpretrain's (``AveragePrecision``,
``MultiLabelMetric``); only the averaging is ours: classes with no positive
image in the evaluated split (common in a 58-image val split) are left out
of the means instead of counting as 0.

MMSeg's ``tools/test.py --out DIR`` hands every test evaluator
``output_dir`` (and ``keep_results``): the held-back images of a user's
folder have no mask to score, so the metric then writes each image's
predicted mask there (``<stem>.png``, a palette PNG as MMSeg's
``IoUMetric`` writes), which ``tools/analysis_tools`` and a viewer read.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.evaluator import BaseMetric
from mmpretrain.evaluation.metrics import AveragePrecision, MultiLabelMetric

from mmwsss.datasets.image_label_dataset import voc_palette
from mmwsss.registry import METRICS
from mmwsss.utils.maps import write_label_png


def multilabel_scores(scores: np.ndarray, targets: np.ndarray,
                      threshold: float = 0.5) -> Dict[str, float]:
    """mAP over classes that have positives, plus macro F1 (over classes
    predicted or present) and micro F1 at ``threshold``.
    ``scores``/``targets`` are ``(N, K)``."""
    scores = torch.as_tensor(scores, dtype=torch.float32)
    targets = torch.as_tensor(targets, dtype=torch.long)
    has_positive = targets.sum(0) > 0
    aps = AveragePrecision.calculate(scores, targets, average=None)
    _, _, f1, _ = MultiLabelMetric.calculate(scores, targets, thr=threshold,
                                             average=None)
    predicted = scores >= threshold
    active = has_positive | predicted.any(0)
    _, _, micro, _ = MultiLabelMetric.calculate(
        scores, targets, thr=threshold, average='micro')
    return dict(
        mAP=float(aps[has_positive].mean()) if has_positive.any() else
        float('nan'),
        F1_macro=float(f1[active].mean()) if active.any() else float('nan'),
        F1_micro=float(micro))


@METRICS.register_module()
class ImageLabelMetric(BaseMetric):
    """Scores ``pred_cls_scores`` against the images' ``img_labels``.

    Args:
        threshold: probability above which a class is predicted present.
        output_dir: where to write each image's predicted mask
            (``<stem>.png``; MMSeg's ``tools/test.py --out`` sets it), or
            ``None`` to write nothing.
        keep_results: accepted because MMSeg's ``tools/test.py --out``
            passes it; the masks in ``output_dir`` are the kept results.
    """
    default_prefix = 'cls'

    def __init__(self, threshold: float = 0.5,
                 output_dir: Optional[str] = None,
                 keep_results: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.threshold = threshold
        self.output_dir = output_dir
        if output_dir and is_main_process():
            os.makedirs(output_dir, exist_ok=True)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            scores = sample['pred_cls_scores']
            scores = scores.cpu().numpy() if hasattr(scores, 'cpu') else \
                np.asarray(scores)
            target = np.zeros_like(scores)
            for label in sample['img_labels']:
                target[int(label) - 1] = 1
            self.results.append((scores, target))
            if self.output_dir and 'pred_sem_seg' in sample:
                self._write_mask(sample)

    def _write_mask(self, sample: dict) -> None:
        """The predicted mask of one image, named after the image."""
        mask = sample['pred_sem_seg']['data'].squeeze(0).cpu().numpy()
        stem = osp.splitext(osp.basename(sample['img_path']))[0]
        palette = (self.dataset_meta or {}).get('palette') or \
            voc_palette(int(mask.max()) + 1)
        write_label_png(osp.join(self.output_dir, f'{stem}.png'), mask,
                        palette)

    def compute_metrics(self, results: List) -> Dict[str, float]:
        scores = np.stack([r[0] for r in results])
        targets = np.stack([r[1] for r in results])
        return multilabel_scores(scores, targets, self.threshold)
