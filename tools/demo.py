"""The README main job: the whole AE-PSL pipeline on the embedded synthetic
data (configs/ae-psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py), on the CPU,
with no download.

Generates the data, then runs every stage: the adversarial-erasing
classifier, saliency, saliency-guided pseudo masks, PSL, PSL++ masks (dense
CRF), PSL++ retraining and the val test.  Prints the pseudo-mask mIoU of
each rung (evaluation only) and the final model's val mIoU.  Running it
again resumes / skips the finished stages.
"""
import argparse
import json
import os.path as osp

from mmengine.config import Config, DictAction

import mmwsss  # noqa: F401
from mmwsss.stages import run_stages
from mmwsss.utils.paths import DATALOADERS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(REPO, 'configs',
                       'ae-psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py')


def parse_args():
    parser = argparse.ArgumentParser(description='mmwsss CPU demo (AE-PSL)')
    parser.add_argument('--config', default=DEMO_CONFIG)
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--seed', type=int, default=0,
                        help='random seed of every stage (the data stay '
                        'the same)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings')
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.work_dir = args.work_dir
    common = dict(cfg.get('common_cfg_options') or {})
    for key in DATALOADERS:
        common[f'{key}.dataset.data_root'] = args.data_root
    common['randomness.seed'] = args.seed
    cfg.common_cfg_options = common
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    markers = run_stages(cfg)

    print('\n== AE-PSL on the synthetic demo data')
    for name, marker in markers.items():
        print(f'  {name:<26} {marker["seconds"]:>7.1f} s')
    print('pseudo masks of the training images (evaluation only):')
    for name in markers:
        result = _scores(args.work_dir, name)
        if result and name != 'score_test':
            print(f'  {name[6:]:<24} mIoU {result["mIoU"]:6.2f} (precision '
                  f'{result["precision"]:.2f}, recall {result["recall"]:.2f})')
    errors = _scores(args.work_dir, 'score_test')
    if errors:
        print('errors of the final model on val (share of wrong pixels): '
              f'false background {errors["false_background"]:.1f}%, false '
              f'foreground {errors["false_foreground"]:.1f}%, wrong class '
              f'{errors["wrong_class"]:.1f}%')
    with open(osp.join(args.work_dir, 'test', 'metrics.json')) as handle:
        metrics = json.load(handle)
    print(f'PSL++ model, val mIoU: {metrics["mIoU"]:.2f}')


def _scores(work_dir: str, stage: str):
    path = osp.join(work_dir, stage, 'scores.json')
    if not stage.startswith('score_') or not osp.isfile(path):
        return None
    with open(path) as handle:
        return json.load(handle)


if __name__ == '__main__':
    main()
