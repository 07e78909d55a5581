"""Score pseudo masks against ground truth: CAM files (with a background
threshold sweep, best threshold and a PNG plot) or label PNGs.

The dataset is the config's ``cam_dataloader.dataset`` (the training split):
measuring pseudo labels is the one use of training masks that weak
supervision allows.
"""
import argparse
import json
import os.path as osp

import numpy as np

import mmwsss  # noqa: F401
from mmwsss.evaluation import score_cam_folder, score_label_folder
from mmwsss.utils.io import atomic_write
from mmwsss.visualization import plot_threshold_curve
from tool_setup import add_common_args, build_cam_dataset, setup_tool


def parse_thresholds(spec: str) -> np.ndarray:
    """``'0.05:0.95:0.05'`` (start:stop:step, stop included) or a comma
    list."""
    if ':' in spec:
        start, stop, step = (float(v) for v in spec.split(':'))
        return np.round(np.arange(start, stop + step / 2, step), 4)
    return np.asarray([float(v) for v in spec.split(',')])


def parse_args():
    parser = argparse.ArgumentParser(description='Evaluate pseudo labels')
    parser.add_argument('config')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--cams', help='folder of CAM .npz files')
    source.add_argument('--labels', help='folder of label PNGs')
    parser.add_argument('--thresholds', default='0.05:0.95:0.05',
                        help='start:stop:step or comma list (CAMs only)')
    parser.add_argument('--out', help='JSON results path (default: next to '
                        'the evaluated folder)')
    parser.add_argument('--dataset-key', default='cam_dataloader',
                        help='config dataloader whose dataset to score')
    add_common_args(parser, distributed=False)
    return parser.parse_args()


def main():
    args = parse_args()
    cfg, _, _ = setup_tool(args)
    dataset = build_cam_dataset(cfg, args.dataset_key)
    folder = (args.cams or args.labels).rstrip('/')
    out = args.out or folder + '_eval.json'
    if args.cams:
        thresholds = parse_thresholds(args.thresholds)
        results = score_cam_folder(dataset, folder, thresholds)
        plot_path = osp.splitext(out)[0] + '_curve.png'
        plot_threshold_curve(
            plot_path, thresholds,
            {key: [row[key] for row in results['sweep']]
             for key in ('mIoU', 'precision', 'recall')},
            title=f'CAM pseudo masks: {osp.basename(folder)}')
        best = results['best']
        print(f'best background threshold {best["threshold"]:.2f}: '
              f'mIoU {best["mIoU"]:.2f}  precision {best["precision"]:.2f}'
              f'  recall {best["recall"]:.2f}')
        print(f'threshold curve: {plot_path}')
        summary = best
    else:
        results = score_label_folder(dataset, folder)
        summary = results
        print(f'mIoU {results["mIoU"]:.2f}  precision '
              f'{results["precision"]:.2f}  recall {results["recall"]:.2f}')
    for name, row in summary['per_class'].items():
        print(f'  {name:>14}: IoU {row["IoU"]:.2f}')
    with atomic_write(out, 'w') as handle:
        json.dump(results, handle, indent=1)
    print(f'results: {out}')


if __name__ == '__main__':
    main()
