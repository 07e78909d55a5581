"""Write the object proposals of every image: ``<out-dir>/<image stem>.npz``.

Selective search (:mod:`mmwsss.proposals`) with the config's ``proposals``
settings, over the images of ``cam_dataloader`` (the training split) and,
with ``--val``, ``val_dataloader`` too (the HCP classifier validates on its
proposals).  Finished files are skipped, so a killed run restarted with
the same command continues; ``--workers`` processes share an image batch,
and under torchrun (``--launcher pytorch``) every rank handles its own
shard.  The default ``--out-dir`` is where the HCP classifier configs read
them standalone: ``<data_root>/proposals``.

    python tools/make_proposals.py \
        configs/hcp/hcp-classifier_mbv2-d16_1xb16-12e_msrc17-long320.py --val
"""
import argparse
import os.path as osp

import mmwsss  # noqa: F401
from mmwsss.proposals import make_proposals, proposal_settings
from mmwsss.utils.paths import PROPOSAL_LOADERS
from tool_setup import (add_common_args, build_cam_dataset, report_shard,
                        setup_tool)


def parse_args():
    parser = argparse.ArgumentParser(description='Generate object proposals')
    parser.add_argument('config')
    parser.add_argument('--out-dir',
                        help='default: <data_root>/proposals')
    parser.add_argument('--val', action='store_true',
                        help='also the images of val_dataloader')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes for the search (CPU bound)')
    add_common_args(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    for key in PROPOSAL_LOADERS:
        args.cfg_options = dict(args.cfg_options or {},
                                **{f'{key}.dataset.proposal_path': None})
    cfg, _, _ = setup_tool(args)
    out_dir = args.out_dir or osp.join(cfg.cam_dataloader.dataset.data_root,
                                       'proposals')
    settings = proposal_settings(cfg.get('proposals'))
    print(f'selective search settings: {settings}')
    keys = ['cam_dataloader'] + (['val_dataloader'] if args.val else [])
    for key in keys:
        stats = make_proposals(build_cam_dataset(cfg, key), out_dir,
                               settings, num_workers=args.workers)
        report_shard(stats, f'proposal files ({key})', out_dir)
        print(f'{stats.get("proposals", 0)} proposals; '
              f'{stats.get("whole_image", 0)} images fell back to the whole '
              'frame')


if __name__ == '__main__':
    main()
