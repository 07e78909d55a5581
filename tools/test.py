"""Evaluate a checkpoint with the config's test dataloader and evaluator
(mmseg's test.py idiom): image mAP/F1 for CAM classifiers, mIoU for
segmentors."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import mmwsss  # noqa: F401
from mmwsss.apis import check_config


def parse_args():
    parser = argparse.ArgumentParser(description='Test a checkpoint')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--work-dir', help='where logs and metrics go')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings, e.g. test_dataloader.'
                        'dataset.ann_file=ImageSets/Segmentation/test.txt')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        './work_dirs', osp.splitext(osp.basename(args.config))[0])
    check_config(cfg, args.config)
    cfg.load_from = args.checkpoint
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    print(' '.join(f'{k}: {v:.2f}' for k, v in metrics.items()
                   if isinstance(v, float)))


if __name__ == '__main__':
    main()
