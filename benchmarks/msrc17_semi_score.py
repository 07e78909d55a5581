"""Benchmark (issue 23): val mIoU and the face / body IoU of folders of
MSRC-17 val predictions (palette PNGs, class index per pixel), one line
each.  Evaluation only: reads the val ground truth.

    python benchmarks/msrc17_semi_score.py PRED_DIR [PRED_DIR ...]
"""
import argparse

from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401
from mmwsss.apis import prepare_config
from mmwsss.evaluation import score_label_folder
from mmwsss.registry import DATASETS

CONFIG = 'configs/psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py'


def val_dataset():
    cfg = prepare_config(Config.fromfile(CONFIG), CONFIG)
    init_default_scope('mmseg')
    return DATASETS.build(dict(cfg.test_dataloader.dataset, pipeline=[]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('folders', nargs='+')
    args = parser.parse_args()
    dataset = val_dataset()
    for folder in args.folders:
        scores = score_label_folder(dataset, folder)
        per_class = scores['per_class']
        print(f'{folder}: mIoU {scores["mIoU"]:.2f}, face '
              f'{per_class["face"]["IoU"]:.2f}, body '
              f'{per_class["body"]["IoU"]:.2f}')


if __name__ == '__main__':
    main()
