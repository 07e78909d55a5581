"""Write one CAM file per image: ``<out-dir>/<image stem>.npz``.

Uses the config's ``cam_dataloader`` (the training split without
augmentation).  Finished files are skipped, so a killed run restarted with
the same command continues; launched with torchrun (``--launcher pytorch``)
every rank handles its own shard.
"""
import argparse
import os.path as osp

import mmwsss  # noqa: F401
from mmwsss.apis import check_config, init_model
from mmwsss.pseudo_labels import make_cams
from tool_setup import (add_common_args, build_cam_dataset, report_shard,
                        setup_tool)


def parse_args():
    parser = argparse.ArgumentParser(description='Generate CAMs')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out-dir', help='default: <work_dir>/cams')
    parser.add_argument('--scales', type=float, nargs='+',
                        help='override model.test_cfg.cam_scales')
    parser.add_argument('--no-flip', action='store_true')
    parser.add_argument('--device', help='default: cuda if available')
    add_common_args(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    cfg, work_dir, device = setup_tool(args)
    check_config(cfg, args.config)
    out_dir = args.out_dir or osp.join(work_dir, 'cams')
    loader_cfg = cfg.cam_dataloader
    dataset = build_cam_dataset(cfg)
    model = init_model(cfg, args.checkpoint, device=args.device or device)
    stats = make_cams(
        model, dataset, out_dir,
        batch_size=loader_cfg.get('batch_size', 1),
        num_workers=loader_cfg.get('num_workers', 0),
        scales=args.scales,
        flip=False if args.no_flip else None)
    report_shard(stats, 'CAM files', out_dir)


if __name__ == '__main__':
    main()
