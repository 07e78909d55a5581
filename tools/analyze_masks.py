"""Error analysis of pseudo or predicted masks against the ground truth:
per-class IoU and the split of every error into false background, false
foreground, wrong class (and ignored pixels), as a Markdown table, a JSON
file and one PNG of per-class stacked bars.

    # pseudo masks of the training images
    python tools/analyze_masks.py \\
        configs/ae/ae_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py \\
        work_dirs/ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320/pseudo_labels/labels
    # predictions on val (tools/test.py ... --out preds/)
    python tools/analyze_masks.py \\
        configs/psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py preds/ \\
        --dataset-key test_dataloader

Evaluation only: it reads the ground-truth masks of the chosen split.
"""
import argparse
import json
import os.path as osp

import mmwsss  # noqa: F401
from mmwsss.evaluation import error_table, score_label_folder
from mmwsss.utils.io import atomic_write
from mmwsss.visualization import plot_error_bars
from tool_setup import add_common_args, build_cam_dataset, setup_tool


def parse_args():
    parser = argparse.ArgumentParser(description='Error analysis of masks')
    parser.add_argument('config', help='config whose dataset holds the '
                        'ground truth')
    parser.add_argument('masks', help='folder of label PNGs, one per image '
                        '(255 = ignored)')
    parser.add_argument('--dataset-key', default='cam_dataloader',
                        help='dataloader whose dataset to score '
                        '(cam_dataloader: the training split)')
    parser.add_argument('--out', help='output prefix (default: the masks '
                        'folder + "_analysis")')
    parser.add_argument('--title', help='plot title (default: folder name)')
    add_common_args(parser, distributed=False)
    return parser.parse_args()


def main():
    args = parse_args()
    cfg, _, _ = setup_tool(args)
    dataset = build_cam_dataset(cfg, args.dataset_key)
    folder = args.masks.rstrip('/')
    prefix = args.out or folder + '_analysis'
    scores = score_label_folder(dataset, folder)
    table = error_table(scores)
    print(f'{folder}: mIoU {scores["mIoU"]:.2f}, precision '
          f'{scores["precision"]:.2f}, recall {scores["recall"]:.2f}')
    print(table)
    with atomic_write(prefix + '.json', 'w') as handle:
        json.dump(scores, handle, indent=1)
    with atomic_write(prefix + '.md', 'w') as handle:
        handle.write(table + '\n')
    plot_error_bars(prefix + '.png', scores,
                    args.title or osp.basename(folder))
    print(f'written: {prefix}.json, {prefix}.md, {prefix}.png')


if __name__ == '__main__':
    main()
