"""Benchmark (issue 23): the cue rungs of semi-supervised MSRC-17 work
dirs scored on the *tags-only* training images, the ones the masks must
help (the pixel-labelled subset scores itself trivially).  Evaluation
only: reads the training ground truth.

    python benchmarks/semi_cue_scores.py W [W ...] \
        [--pixel-list ImageSets/Segmentation/train_pixel_10pct.txt]

One line a work dir and rung (cam_labels, ae_labels, pseudo_labels):
mIoU, precision, recall, face and body IoU.
"""
import argparse
import os.path as osp

from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401
from mmwsss.apis import prepare_config
from mmwsss.utils.files import image_stem
from mmwsss.evaluation import score_label_folder
from mmwsss.registry import DATASETS

CONFIG = 'configs/psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py'
RUNGS = ('cam_labels', 'ae_labels', 'pseudo_labels')


def tags_only_train_dataset(pixel_list: str):
    """MSRC-17 train without the images of ``pixel_list``."""
    cfg = prepare_config(Config.fromfile(CONFIG), CONFIG)
    init_default_scope('mmseg')
    loader = cfg.cam_dataloader
    dataset = DATASETS.build(dict(loader.dataset, pipeline=[]))
    with open(osp.join(dataset.data_root, pixel_list)) as handle:
        labelled = {line.strip() for line in handle if line.strip()}
    keep = [i for i in range(len(dataset))
            if image_stem(dataset.get_data_info(i)) not in labelled]
    return dataset.get_subset(keep), len(labelled)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dirs', nargs='+')
    parser.add_argument(
        '--pixel-list', default='ImageSets/Segmentation/train_pixel_10pct.txt')
    args = parser.parse_args()
    dataset, num_labelled = tags_only_train_dataset(args.pixel_list)
    print(f'{len(dataset)} tags-only train images ({num_labelled} left out)')
    for work_dir in args.work_dirs:
        for rung in RUNGS:
            folder = osp.join(work_dir, rung, 'labels')
            if not osp.isdir(folder):
                continue
            s = score_label_folder(dataset, folder)
            per_class = s['per_class']
            print(f'{work_dir} {rung}: mIoU {s["mIoU"]:.2f}, precision '
                  f'{s["precision"]:.2f}, recall {s["recall"]:.2f}, face '
                  f'{per_class["face"]["IoU"]:.2f}, body '
                  f'{per_class["body"]["IoU"]:.2f}')


if __name__ == '__main__':
    main()
