"""Train a model from an mmwsss / MMSeg config (mmseg's train.py idiom).

A config with ``stages`` (e.g.
configs/ae-psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py) is a whole
multi-stage method: every stage runs in order in ``work_dir/<stage>/``,
complete stages are skipped, so the same command resumes after a crash;
``--stage NAME`` runs one stage.
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import mmwsss  # noqa: F401  (applies compat shims, registers modules)
from mmwsss.apis import (check_config, check_pipeline_data_root,
                         keep_random_states, prepare_config,
                         prepare_launcher, train_resumable)
from mmwsss.stages import check_overrides, run_stages
from mmwsss.utils.work_dir_lock import work_dir_lock
from tool_setup import run_main


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', action='store_true', help='resume from the latest '
        'intact checkpoint in the work dir (stages always resume)')
    parser.add_argument('--stage', help='run only this stage of a '
                        'multi-stage config (its inputs must be complete)')
    parser.add_argument(
        '--redo-changed', action='store_true',
        help='multi-stage config: redo finished stages whose resolved '
        'config or inputs changed since (their old folder is kept beside '
        'them); without it such a stage stops the run')
    parser.add_argument(
        '--allow-rare', action='store_true',
        help='train although some classes have fewer training images than '
        'the data check asks for (they are reported as warnings)')
    parser.add_argument('--amp', action='store_true', help='enable AMP '
                        '(every training stage of a multi-stage config)')
    parser.add_argument('--seed', type=int, help='random seed (every stage '
                        'of a multi-stage config); default: the config\'s')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, e.g. train_cfg.max_epochs=2')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def every_stage_options(common, seed=None, amp=False) -> dict:
    """A pipeline's ``common_cfg_options`` with ``--seed`` and ``--amp``,
    which then reach every stage's config (AMP matters to the training
    stages; the others ignore the optimizer)."""
    common = dict(common or {})
    if seed is not None:
        common['randomness.seed'] = seed
    if amp:
        common.update({'optim_wrapper.type': 'AmpOptimWrapper',
                       'optim_wrapper.loss_scale': 'dynamic'})
    return common


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        check_overrides(cfg, args.cfg_options, args.config)
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if cfg.get('stages'):
        check_pipeline_data_root(cfg, args.config)
        cfg.common_cfg_options = every_stage_options(
            cfg.get('common_cfg_options'), args.seed, args.amp)
        if args.allow_rare:
            cfg.dataset_check = dict(cfg.get('dataset_check') or {},
                                     allow_rare=True)
        run_stages(cfg, launcher=args.launcher, only=args.stage,
                   redo_changed=args.redo_changed)
        return
    if args.stage:
        raise SystemExit(f'{args.config} has no stages; --stage needs a '
                         'multi-stage config')
    if args.seed is not None:
        cfg.randomness = dict(cfg.get('randomness') or {}, seed=args.seed)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    prepare_config(cfg, args.config)
    check_config(cfg, args.config)
    prepare_launcher(cfg, args.launcher)
    with work_dir_lock(osp.abspath(cfg.work_dir), ' '.join(sys.argv)):
        if args.resume:
            train_resumable(cfg)
        else:
            keep_random_states(cfg)
            Runner.from_cfg(cfg).train()


if __name__ == '__main__':
    run_main(main)
