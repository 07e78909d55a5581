"""Image-level multi-label classification metric (mAP, F1)."""
from typing import Dict, List, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS


def average_precision(scores: np.ndarray, targets: np.ndarray) -> float:
    """AP of one class: mean precision at the rank of every positive."""
    order = np.argsort(-scores, kind='stable')
    hits = targets[order] > 0
    if not hits.any():
        return float('nan')
    precision_at_k = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision_at_k[hits].mean())


def multilabel_scores(scores: np.ndarray, targets: np.ndarray,
                      threshold: float = 0.5) -> Dict[str, float]:
    """mAP over classes that have positives, plus macro and micro F1 at
    ``threshold``.  ``scores``/``targets`` are ``(N, K)``."""
    aps = [average_precision(scores[:, k], targets[:, k])
           for k in range(scores.shape[1])]
    valid = [ap for ap in aps if not np.isnan(ap)]
    pred = scores >= threshold
    pos = targets > 0
    tp = (pred & pos).sum(0)
    fp = (pred & ~pos).sum(0)
    fn = (~pred & pos).sum(0)
    with np.errstate(invalid='ignore', divide='ignore'):
        f1_per_class = 2 * tp / (2 * tp + fp + fn)
    has_any = (tp + fp + fn) > 0
    micro = 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1)
    return dict(
        mAP=100 * float(np.mean(valid)) if valid else float('nan'),
        F1_macro=100 * float(np.mean(f1_per_class[has_any]))
        if has_any.any() else float('nan'),
        F1_micro=100 * float(micro))


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
