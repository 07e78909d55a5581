"""Write pseudo segmentation masks (VOC palette PNGs), one per training image.

Modes (see mmwsss.apis.pseudo_label_generation): ``cam`` (CAM + background
threshold), ``cam_saliency``, ``ae`` (fused erasing regions), ``ae_saliency``
(the AE paper's saliency-guided masks); ``--crf irn`` refines them.
Resumable (finished files are skipped, every file is written atomically),
sharded across ranks with ``--launcher pytorch``.

    python tools/make_pseudo_labels.py CONFIG --mode ae_saliency \
        --regions WORK/erasing/regions --saliency WORK/saliency \
        --cams WORK/cams --out-dir WORK/pseudo_labels
"""
import argparse
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.dist import barrier, get_dist_info
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

import mmwsss  # noqa: F401
from mmwsss.utils.dist import init_distributed
from mmwsss.apis.pseudo_label_generation import MODES, make_pseudo_labels


def parse_args():
    parser = argparse.ArgumentParser(description='Generate pseudo masks')
    parser.add_argument('config')
    parser.add_argument('--mode', choices=MODES, required=True)
    parser.add_argument('--cams', help='folder of CAM .npz files')
    parser.add_argument('--regions', help='folder of erasing regions '
                        '(<work_dir>/erasing/regions)')
    parser.add_argument('--saliency', help='folder of saliency PNGs')
    parser.add_argument('--out-dir', help='default: <work_dir>/'
                        'pseudo_labels_<mode>')
    parser.add_argument('--fuse-steps', type=int, default=3,
                        help='fuse the regions of the first K steps')
    parser.add_argument('--bg-threshold', type=float, default=0.25,
                        help='CAM background threshold (mode cam)')
    parser.add_argument('--saliency-threshold', type=float, default=0.3)
    parser.add_argument('--cam-threshold', type=float, default=0.1,
                        help='min CAM for a salient pixel (cam_saliency)')
    parser.add_argument('--crf', choices=['irn', 'psa', 'deeplab'],
                        help='refine with the dense CRF (preset)')
    parser.add_argument('--workers', type=int, default=1,
                        help='worker processes (CRF is single-threaded)')
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
    init_distributed(args.launcher)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    work_dir = cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    out_dir = args.out_dir or osp.join(work_dir, f'pseudo_labels_{args.mode}')
    dataset = DATASETS.build(cfg.cam_dataloader.dataset)
    stats = make_pseudo_labels(
        dataset, out_dir, args.mode, cam_dir=args.cams,
        regions_dir=args.regions, saliency_dir=args.saliency,
        fuse_steps=args.fuse_steps, bg_threshold=args.bg_threshold,
        saliency_threshold=args.saliency_threshold,
        cam_threshold=args.cam_threshold, crf=args.crf,
        num_workers=args.workers)
    barrier()
    rank, world = get_dist_info()
    print(f'\n[rank {rank}/{world}] {stats["written"]} pseudo masks written, '
          f'{stats["done_before"]} already done, in {out_dir}')


if __name__ == '__main__':
    main()
