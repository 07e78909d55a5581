"""Scoring a folder of CAM files or label PNGs against a dataset's masks.

Evaluation only: this reads the dataset's ground-truth masks.
"""
import os.path as osp
from typing import Dict, Iterator, Sequence

import numpy as np

from mmwsss.datasets.image_label_dataset import read_mask
from mmwsss.evaluation import ConfusionMatrix, sweep_cam_thresholds
from mmwsss.evaluation.mask_analysis import ERROR_KINDS, analyze_confusion
from mmwsss.utils.io import load_cam_file
from .cam_generation import output_stem


def _gt_and_output(dataset, folder: str, suffix: str) -> Iterator:
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        if 'seg_map_path' not in info:
            raise ValueError(f'{type(dataset).__name__}: no seg_map_path, '
                             'cannot evaluate without ground-truth masks')
        path = osp.join(folder, output_stem(info) + suffix)
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
            {kind: row[kind] for kind in ERROR_KINDS})
    return scores


def parse_thresholds(spec: str) -> np.ndarray:
    """``'0.05:0.95:0.05'`` (start:stop:step, stop included) or a comma
    list."""
    if ':' in spec:
        start, stop, step = (float(v) for v in spec.split(':'))
        return np.round(np.arange(start, stop + step / 2, step), 4)
    return np.asarray([float(v) for v in spec.split(',')])
