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

import mmwsss  # noqa: F401
from mmwsss.pseudo_labels import (CONTESTED_RULES, MODES,
                                  make_pseudo_labels)
from tool_setup import (add_common_args, build_cam_dataset, report_shard,
                        setup_tool)


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
    parser.add_argument('--contested', choices=CONTESTED_RULES,
                        default='cam', help='who takes a pixel two classes '
                        'claim (saliency modes): the higher CAM or the '
                        'smaller claim')
    parser.add_argument('--crf', choices=['irn', 'psa', 'deeplab'],
                        help='refine with the dense CRF (preset)')
    parser.add_argument('--workers', type=int, default=1,
                        help='worker processes (CRF is single-threaded)')
    add_common_args(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    cfg, work_dir, _ = setup_tool(args)
    out_dir = args.out_dir or osp.join(work_dir, f'pseudo_labels_{args.mode}')
    dataset = build_cam_dataset(cfg)
    stats = make_pseudo_labels(
        dataset, out_dir, args.mode, cam_dir=args.cams,
        regions_dir=args.regions, saliency_dir=args.saliency,
        fuse_steps=args.fuse_steps, bg_threshold=args.bg_threshold,
        saliency_threshold=args.saliency_threshold,
        cam_threshold=args.cam_threshold, contested=args.contested,
        crf=args.crf,
        num_workers=args.workers)
    report_shard(stats, 'pseudo masks', out_dir)


if __name__ == '__main__':
    main()
