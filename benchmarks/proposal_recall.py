"""Benchmark (evaluation only: reads the training ground truth): how well
cached proposals cover the objects.

For every labelled class of every image of the config's ``cam_dataloader``
dataset, the best IoU of a proposal *mask* with the class's ground-truth
region and the best IoU of a proposal *box* with that region's box;
prints the mean best overlaps and the recall at IoU 0.5, and the time
selective search takes per image (re-run on ``--time-images`` images).

    python benchmarks/proposal_recall.py CONFIG PROPOSAL_DIR
"""
import argparse
import os.path as osp
import statistics
import sys
import time

import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401
from mmwsss.apis import prepare_config
from mmwsss.proposals import load_proposals, selective_search
from mmwsss.proposals.proposal_files import image_seed, proposal_settings
from mmwsss.registry import DATASETS
from mmwsss.utils.io import image_stem, read_image, read_mask


def box_iou(a, b) -> float:
    inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * \
        max(0, min(a[3], b[3]) - max(a[1], b[1]))
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return inter / max(area - inter, 1e-9)


def best_overlaps(proposals, region: np.ndarray):
    ys, xs = np.nonzero(region)
    target = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    best_box = max(box_iou(target, box) for box in proposals.boxes)
    best_mask = 0.0
    for index in range(len(proposals)):
        mask = proposals.mask(index)
        inter = np.logical_and(mask, region).sum()
        best_mask = max(best_mask, inter / np.logical_or(mask, region).sum())
    return best_mask, best_box


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('proposal_dir')
    parser.add_argument('--time-images', type=int, default=20)
    args = parser.parse_args()
    cfg = prepare_config(Config.fromfile(args.config), args.config)
    cfg.cam_dataloader.dataset.proposal_path = None
    init_default_scope('mmseg')
    dataset = DATASETS.build(cfg.cam_dataloader.dataset)
    settings = proposal_settings(cfg.get('proposals'))
    masks, boxes = [], []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        gt = read_mask(info['seg_map_path'])
        proposals = load_proposals(
            osp.join(args.proposal_dir, image_stem(info) + '.npz'), settings)
        for cls in info['img_labels']:
            mask_iou, box = best_overlaps(proposals, gt == cls)
            masks.append(mask_iou)
            boxes.append(box)
    seconds = []
    for index in range(min(args.time_images, len(dataset))):
        info = dataset.get_data_info(index)
        image = read_image(info['img_path'], 'rgb')
        start = time.perf_counter()
        selective_search(image, seed=image_seed(image_stem(info)),
                         **settings)
        seconds.append(time.perf_counter() - start)
    print(f'{len(masks)} labelled (image, class) regions of {len(dataset)} '
          f'images; proposal settings {settings}')
    print('| proposals | mean best IoU | recall @0.5 |')
    print('|---|---|---|')
    for name, values in (('masks', masks), ('boxes', boxes)):
        values = np.array(values)
        print(f'| {name} | {100 * values.mean():.1f} | '
              f'{100 * (values >= 0.5).mean():.1f} |')
    print(f'selective search: median {statistics.median(seconds):.2f} s per '
          f'image ({len(seconds)} images, {sys.platform})')


if __name__ == '__main__':
    main()
