"""Scoring pseudo masks (CAMs or label PNGs) against ground-truth masks.

Used only to *measure* pseudo labels: this module is the one place that
reads training-set masks.  mIoU, precision and recall come from one
confusion matrix per folder.  It is our own rather than MMSeg's
``IoUMetric.intersect_and_union``, which keeps only per-class areas: the
error split of :mod:`.mask_analysis` (false background / foreground, wrong
class) needs the full matrix, and ignored (255) *predictions* must count as
misses of their ground-truth class, which MMSeg's helper drops.
"""
import os.path as osp
from typing import Dict, Iterable, Iterator, List, Sequence

import numpy as np

from mmwsss.models.classifiers.cam import cams_to_label_map
from mmwsss.utils.io import image_stem, load_cam_file, read_mask
from .mask_analysis import ERROR_KINDS, analyze_confusion


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


def _gt_and_output(dataset, folder: str, suffix: str) -> Iterator:
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        if 'seg_map_path' not in info:
            raise ValueError(f'{type(dataset).__name__}: no seg_map_path, '
                             'cannot evaluate without ground-truth masks')
        path = osp.join(folder, image_stem(info) + suffix)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{path}: missing output for image {info["img_path"]} '
                '(run the generating tool to completion first)')
        yield path, info, read_mask(info['seg_map_path'])


def score_cam_folder(dataset, cam_dir: str,
                     thresholds: Sequence[float]) -> Dict:
    """mIoU/precision/recall of CAM pseudo masks at every background
    threshold; ``best`` holds the threshold with the highest mIoU."""

    def pairs():
        for path, info, gt in _gt_and_output(dataset, cam_dir, '.npz'):
            data = load_cam_file(path)
            if data['cams'].shape[1:] != gt.shape:
                raise ValueError(
                    f'{path}: CAM size {data["cams"].shape[1:]} differs from '
                    f'mask {info["seg_map_path"]} size {gt.shape}')
            yield path, data['cams'], data['labels'], gt

    classes = dataset.metainfo['classes']
    matrices = sweep_cam_thresholds(pairs(), len(classes), thresholds)
    sweep = [dict(threshold=float(t), **m.scores(classes))
             for t, m in zip(thresholds, matrices)]
    best = max(sweep, key=lambda row: row['mIoU'])
    return dict(sweep=sweep, best=best)


def score_label_folder(dataset, label_dir: str) -> Dict:
    """mIoU/precision/recall of label PNGs (255 = ignored, which counts
    against recall only)."""
    classes = dataset.metainfo['classes']
    matrix = ConfusionMatrix(len(classes))
    for path, _, gt in _gt_and_output(dataset, label_dir, '.png'):
        matrix.update(read_mask(path), gt, path)
    return with_error_split(matrix.scores(classes),
                            analyze_confusion(matrix.matrix, matrix.missed,
                                              classes))


def with_error_split(scores: Dict, analysis: Dict) -> Dict:
    """``scores`` plus each error kind's share of all errors (top level,
    so the stage report shows them) and per class (next to its IoU)."""
    for kind in ERROR_KINDS:
        scores[kind] = analysis['errors'][kind]['share']
    for name, row in analysis['per_class'].items():
        scores['per_class'].setdefault(name, {}).update(
            {kind: row[kind] for kind in ERROR_KINDS + (
                'confused_with', 'confused_share')})
    return scores
