"""Write one CAM file per image: ``<out-dir>/<image stem>.npz``.

Uses the config's ``cam_dataloader`` (the training split without
augmentation).  Finished files are skipped, so a killed run restarted with
the same command continues; launched with torchrun (``--launcher pytorch``)
every rank handles its own shard.
"""
import argparse
import os.path as osp


from mmengine.config import Config, DictAction
from mmengine.dist import barrier, get_dist_info
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

import mmwsss  # noqa: F401
from mmwsss.utils.dist import init_distributed
from mmwsss.apis import check_config, init_model, make_cams


def parse_args():
    parser = argparse.ArgumentParser(description='Generate CAMs')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out-dir', help='default: <work_dir>/cams')
    parser.add_argument('--scales', type=float, nargs='+',
                        help='override model.test_cfg.cam_scales')
    parser.add_argument('--no-flip', action='store_true')
    parser.add_argument('--device', help='default: cuda if available')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    check_config(cfg, args.config)
    device = init_distributed(args.launcher)
    device = args.device or device
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    work_dir = cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    out_dir = args.out_dir or osp.join(work_dir, 'cams')
    loader_cfg = cfg.cam_dataloader
    dataset = DATASETS.build(loader_cfg.dataset)
    model = init_model(cfg, args.checkpoint, device=device)
    stats = make_cams(
        model, dataset, out_dir,
        batch_size=loader_cfg.get('batch_size', 1),
        num_workers=loader_cfg.get('num_workers', 0),
        scales=args.scales,
        flip=False if args.no_flip else None)
    barrier()
    rank, world = get_dist_info()
    print(f'\n[rank {rank}/{world}] {stats["written"]} CAM files written, '
          f'{stats["done_before"]} already done, in {out_dir}')


if __name__ == '__main__':
    main()
