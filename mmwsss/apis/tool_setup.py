"""What every per-image tool (make_cams, make_saliency,
make_pseudo_labels, eval_pseudo_labels) does before and after its work."""
import argparse
import os.path as osp
from typing import Tuple

from mmengine.config import Config, DictAction
from mmengine.dist import barrier, get_dist_info
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

from mmwsss.utils.dist import init_distributed


def add_common_args(parser: argparse.ArgumentParser,
                    distributed: bool = True) -> None:
    """``--cfg-options`` and, for sharded tools, ``--launcher``."""
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings')
    if distributed:
        parser.add_argument('--launcher', default='none',
                            choices=['none', 'pytorch', 'slurm', 'mpi'])
        parser.add_argument('--local_rank', '--local-rank', type=int,
                            default=0)


def setup_tool(args) -> Tuple[Config, str, str]:
    """Load the config (with overrides), start distributed ranks if asked,
    set MMSeg's scope; returns ``(cfg, work_dir, device)``."""
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    device = init_distributed(getattr(args, 'launcher', 'none'))
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    work_dir = cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg, work_dir, device


def build_cam_dataset(cfg: Config, key: str = 'cam_dataloader'):
    """The training split without augmentation, as the config defines it."""
    return DATASETS.build(cfg[key].dataset)


def report_shard(stats: dict, what: str, out_dir: str) -> None:
    """Wait for every rank, then print this rank's tally."""
    barrier()
    rank, world = get_dist_info()
    print(f'\n[rank {rank}/{world}] {stats["written"]} {what} written, '
          f'{stats["done_before"]} already done, in {out_dir}')
