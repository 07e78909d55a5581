"""Pictures of an adversarial-erasing run: a grid per image (per-step CAM
and mined region, fused region, saliency, pseudo mask) and the plot of the
classification loss per erasing step.

    python tools/visualize_erasing.py CONFIG --erasing-dir WORK/erasing \
        [--saliency DIR] [--pseudo-labels DIR] [--out-dir DIR]
"""
import argparse
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401
from mmwsss.apis import prepare_config
from mmwsss.registry import DATASETS
from mmwsss.visualization import plot_step_losses, write_erasing_grids


def main():
    parser = argparse.ArgumentParser(description='Visualise erasing')
    parser.add_argument('config')
    parser.add_argument('--erasing-dir', required=True)
    parser.add_argument('--saliency')
    parser.add_argument('--pseudo-labels')
    parser.add_argument('--fuse-steps', type=int, default=3)
    parser.add_argument('--num', type=int, default=4)
    parser.add_argument('--out-dir', help='default: <erasing-dir>/vis')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    prepare_config(cfg, args.config)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    dataset = DATASETS.build(cfg.cam_dataloader.dataset)
    out_dir = args.out_dir or osp.join(args.erasing_dir, 'vis')
    grids = write_erasing_grids(dataset, args.erasing_dir, out_dir,
                                args.fuse_steps, args.saliency,
                                args.pseudo_labels, args.num)
    plot = osp.join(out_dir, 'step_losses.png')
    plot_step_losses(plot, osp.join(args.erasing_dir, 'erasing.json'))
    print(f'{len(grids)} grids and {plot} written')


if __name__ == '__main__':
    main()
