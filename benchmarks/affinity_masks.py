"""Benchmark (issue 24): what the random walk of a trained AffinityNet does
to a folder of pseudo masks, scored on the training images' ground truth
(evaluation only): mIoU, precision, recall and the error split before and
after, and the walk's time per image.

    python benchmarks/affinity_masks.py AFFINITY_CONFIG AFFINITY_WORK_DIR \
        MASKS_DIR OUT_DIR [--no-keep-labelled] [--scoring-config CFG]

AFFINITY_WORK_DIR holds the trained AffinityNet (its last_checkpoint),
e.g. ``tools/train.py
configs/affinity/affinitynet_mbv2-d16_1xb16-8e_msrc17-224x320.py
--cfg-options train_dataloader.dataset.pseudo_seg_map_path=MASKS_DIR``.
"""
import argparse
import os.path as osp
import time

from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401
from mmwsss.apis import init_model
from mmwsss.evaluation import score_label_folder
from mmwsss.pseudo_labels.affinity import make_affinity_labels
from mmwsss.registry import DATASETS

SCORES = ('mIoU', 'precision', 'recall', 'false_background',
          'false_foreground', 'wrong_class', 'ignored')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('work_dir')
    parser.add_argument('masks')
    parser.add_argument('out')
    parser.add_argument('--no-keep-labelled', action='store_true')
    parser.add_argument(
        '--scoring-config',
        default='configs/ae/ae_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py',
        help='a config whose cam_dataloader is the training '
        'split with its ground-truth masks')
    args = parser.parse_args()
    init_default_scope('mmseg')
    cfg = Config.fromfile(args.config)
    checkpoint = open(osp.join(args.work_dir,
                               'last_checkpoint')).read().strip()
    model = init_model(cfg, checkpoint)
    dataset = DATASETS.build(cfg.cam_dataloader.dataset)
    start = time.perf_counter()
    tally = make_affinity_labels(model, dataset, args.masks, args.out,
                                 keep_labelled=not args.no_keep_labelled,
                                 show_progress=False)
    seconds = time.perf_counter() - start
    print(f'{tally["written"]} masks in {seconds:.1f} s '
          f'({seconds / max(tally["written"], 1):.2f} s per image)')
    scoring = DATASETS.build(
        Config.fromfile(args.scoring_config).cam_dataloader.dataset)
    for name, folder in (('input masks', args.masks),
                         ('after the walk', args.out)):
        scores = score_label_folder(scoring, folder)
        print(f'{name:15s} ' + '  '.join(
            f'{key} {scores[key]:.2f}' for key in SCORES))


if __name__ == '__main__':
    main()
