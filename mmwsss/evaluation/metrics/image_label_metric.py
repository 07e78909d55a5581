"""Image-level multi-label classification metric (mAP, F1).

The per-class numbers are mmpretrain's (``AveragePrecision``,
``MultiLabelMetric``); only the averaging is ours: classes with no positive
image in the evaluated split (common in a 58-image val split) are left out
of the means instead of counting as 0.
"""
from typing import Dict, List, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmpretrain.evaluation.metrics import AveragePrecision, MultiLabelMetric

from mmwsss.registry import METRICS


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
    """
    default_prefix = 'cls'

    def __init__(self, threshold: float = 0.5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.threshold = threshold

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            scores = sample['pred_cls_scores']
            scores = scores.cpu().numpy() if hasattr(scores, 'cpu') else \
                np.asarray(scores)
            target = np.zeros_like(scores)
            for label in sample['img_labels']:
                target[int(label) - 1] = 1
            self.results.append((scores, target))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        scores = np.stack([r[0] for r in results])
        targets = np.stack([r[1] for r in results])
        return multilabel_scores(scores, targets, self.threshold)
