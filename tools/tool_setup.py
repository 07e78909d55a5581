"""What every per-image tool (make_cams, make_saliency, make_pseudo_labels,
eval_pseudo_labels, analyze_masks) does before and after its work: the
shared command-line flags, config loading with overrides, distributed
start-up and the closing tally.  Tools import it as a sibling module."""
import argparse
import os
import os.path as osp
import sys
from typing import Callable, Tuple

from mmengine.config import Config, DictAction
from mmengine.dist import barrier, get_dist_info
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401  (compat shims, registry)
from mmwsss.apis import check_pipeline_data_root, prepare_config
from mmwsss.registry import DATASETS
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
    prepare_config(cfg, args.config)
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


def load_model_config(config: str, checkpoint: str, stage=None,
                      cfg_options=None):
    """``(cfg, checkpoint)`` of a model to test or run: a model config and
    its checkpoint, or a pipeline config (``stages``) and its work dir, from
    which the final model (``final_model``, or ``stage``) is taken with the
    config it trained with.  Relative paths and
    ``num_classes=None`` are resolved.  With a pipeline, overrides of its
    own keys apply to it, as for its training (``data_root=DATA``,
    ``common_cfg_options.X=...``), the others to the model's config
    (``test_dataloader.dataset.ann_file=...``)."""
    from mmwsss.stages import StageError, check_overrides, trained_model
    cfg = Config.fromfile(config)
    options = dict(cfg_options or {})
    if cfg.get('stages'):
        if not osp.isdir(checkpoint):
            raise SystemExit(f'{config} is a pipeline config: give its work '
                             f'dir, not {checkpoint}')
        pipeline_keys = set(cfg) | {'common_cfg_options', 'stages'}
        cfg.merge_from_dict({k: options.pop(k) for k in list(options)
                             if k.split('.')[0] in pipeline_keys})
        check_pipeline_data_root(cfg, config)
        cfg.work_dir = checkpoint
        try:
            cfg, checkpoint = trained_model(cfg, stage)
        except StageError as exc:
            raise SystemExit(f'{config}: {exc}') from None
    elif stage:
        raise SystemExit(f'{config} has no stages; --stage needs a pipeline '
                         'config')
    try:  # what is left applies to the model's config: it must match a key
        check_overrides(cfg, options, config)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    cfg.merge_from_dict(options)
    prepare_config(cfg, cfg.filename or config)
    return cfg, checkpoint


def run_main(main: Callable[[], None]) -> None:
    """Run a tool's ``main``; the errors mmwsss raises for bad input (they
    name the file and what is wrong) end the tool with that message and
    exit status 1 instead of a traceback.  ``MMWSSS_DEBUG=1`` shows the
    traceback."""
    from mmwsss.stages import StageError
    from mmwsss.utils.work_dir_lock import WorkDirBusyError
    try:
        main()
    except (StageError, WorkDirBusyError, ValueError, FileNotFoundError,
            KeyError) as exc:
        if os.environ.get('MMWSSS_DEBUG'):
            raise
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args \
            else exc
        print(f'{osp.basename(sys.argv[0])}: error: {message}',
              file=sys.stderr)
        raise SystemExit(1) from None
