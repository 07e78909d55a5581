"""Scoring pseudo masks (CAMs or label PNGs) against ground-truth masks.

Used only to *measure* pseudo labels: this module is the one place that
reads training-set masks.
"""
from typing import Dict, Iterable, List, Sequence

import numpy as np

from mmwsss.models.classifiers.cam import cams_to_label_map


class ConfusionMatrix:
    """Accumulates a ``num_classes x num_classes`` confusion matrix
    (rows: ground truth, columns: prediction); ``ignore_index`` pixels of
    the ground truth are skipped, as are ignored predictions (255), which
    therefore lower recall but not precision."""

    def __init__(self, num_classes: int, ignore_index: int = 255) -> None:
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.matrix = np.zeros((num_classes, num_classes), np.int64)
        self.missed = np.zeros(num_classes, np.int64)

    def update(self, pred: np.ndarray, gt: np.ndarray, name: str = '') -> None:
        if pred.shape != gt.shape:
            raise ValueError(f'{name}: prediction size {pred.shape} differs '
                             f'from ground-truth size {gt.shape}')
        gt = gt.astype(np.int64).ravel()
        pred = pred.astype(np.int64).ravel()
        keep = (gt != self.ignore_index) & (pred != self.ignore_index)
        bad = (pred[keep] < 0) | (pred[keep] >= self.num_classes)
        if bad.any():
            raise ValueError(f'{name}: prediction values '
                             f'{sorted(set(pred[keep][bad].tolist()))[:5]} '
                             f'outside [0, {self.num_classes})')
        gt_keep = gt != self.ignore_index
        # ignored predictions on labelled pixels count as misses (recall).
        self.missed += np.bincount(
            gt[gt_keep & (pred == self.ignore_index)],
            minlength=self.num_classes)
        self.matrix += np.bincount(
            gt[keep] * self.num_classes + pred[keep],
            minlength=self.num_classes**2).reshape(self.num_classes, -1)

    def scores(self, class_names: Sequence[str] = None) -> Dict:
        """mIoU, per-class IoU, precision and recall (percent)."""
        tp = np.diag(self.matrix).astype(np.float64)
        pred_total = self.matrix.sum(0)
        gt_total = self.matrix.sum(1) + self.missed
        present = gt_total > 0
        with np.errstate(invalid='ignore', divide='ignore'):
            iou = tp / (pred_total + gt_total - tp)
            precision = tp / pred_total
            recall = tp / gt_total
        names = class_names or [str(i) for i in range(self.num_classes)]
        per_class = {
            names[i]: dict(
                IoU=_percent(iou[i]),
                precision=_percent(precision[i]),
                recall=_percent(recall[i]))
            for i in range(self.num_classes) if present[i]
        }
        return dict(
            mIoU=100 * float(np.nanmean(iou[present])),
            precision=100 * float(np.nanmean(precision[present])),
            recall=100 * float(np.nanmean(recall[present])),
            per_class=per_class)


def _percent(value: float):
    return None if np.isnan(value) else 100 * float(value)


def sweep_cam_thresholds(
        pairs: Iterable, num_classes: int,
        thresholds: Sequence[float]) -> List[ConfusionMatrix]:
    """One confusion matrix per background threshold.

    Args:
        pairs: ``(name, cams, labels, gt)`` per image, with normalised CAMs
            ``(len(labels), H, W)`` and the GT mask ``(H, W)``.
    """
    matrices = [ConfusionMatrix(num_classes) for _ in thresholds]
    for name, cams, labels, gt in pairs:
        for matrix, threshold in zip(matrices, thresholds):
            matrix.update(cams_to_label_map(cams, labels, threshold), gt, name)
    return matrices
