"""The README main job: the whole CAM pipeline on the embedded synthetic data.

Generates the data (no download), trains the CAM classifier on the CPU,
writes CAMs for the training images, scores them as pseudo masks (prints the
mIoU at the best background threshold) and writes overlay PNGs.
"""
import argparse
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmseg.registry import DATASETS

import mmwsss  # noqa: F401
from mmwsss.apis import (check_config, init_model, make_cams,
                         parse_thresholds, score_cam_folder)
from mmwsss.visualization import write_cam_overlays

DEMO_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', 'cam',
    'cam_tinyres_synthetic.py')


def parse_args():
    parser = argparse.ArgumentParser(description='mmwsss CPU demo')
    parser.add_argument('--config', default=DEMO_CONFIG)
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--num-overlays', type=int, default=8)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings')
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.work_dir = args.work_dir
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'cam_dataloader'):
        cfg[key].dataset.data_root = args.data_root
    check_config(cfg, args.config)

    print('== 1/4 training the CAM classifier on image-level labels')
    runner = Runner.from_cfg(cfg)
    runner.train()
    checkpoint = osp.join(args.work_dir,
                          f'epoch_{cfg.train_cfg.max_epochs}.pth')

    print('== 2/4 writing multi-scale CAMs of the training images')
    init_default_scope('mmseg')
    dataset = DATASETS.build(cfg.cam_dataloader.dataset)
    model = init_model(cfg, checkpoint)
    cam_dir = osp.join(args.work_dir, 'cams')
    make_cams(model, dataset, cam_dir,
              batch_size=cfg.cam_dataloader.batch_size)

    print('\n== 3/4 scoring the CAMs as pseudo masks (evaluation only)')
    results = score_cam_folder(dataset, cam_dir,
                               parse_thresholds('0.05:0.95:0.05'))
    best = results['best']
    print(f'CAM pseudo-mask mIoU: {best["mIoU"]:.2f} (background threshold '
          f'{best["threshold"]:.2f}, precision {best["precision"]:.2f}, '
          f'recall {best["recall"]:.2f})')

    print('== 4/4 writing overlays')
    overlay_dir = osp.join(args.work_dir, 'overlays')
    paths = write_cam_overlays(dataset, cam_dir, overlay_dir,
                               best['threshold'], args.num_overlays)
    print(f'{len(paths)} overlay PNGs in {overlay_dir}')


if __name__ == '__main__':
    main()
