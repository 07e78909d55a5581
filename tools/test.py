"""Evaluate a checkpoint with the config's test dataloader and evaluator
(mmseg's test.py idiom): image mAP/F1 for CAM classifiers, mIoU for
segmentors.

    python tools/test.py CONFIG CHECKPOINT            # a model config
    python tools/test.py PIPELINE_CONFIG WORK_DIR     # what a pipeline made

With a pipeline config (``stages``) and its work dir, the final model is
tested (``final_model`` of the config, ``--stage`` for another), with the
config it trained with.  Segmentors with a PSL head: ``--no-suppression``
turns off the classification branch's test-time correction (by default
it re-weights the class probabilities), ``--cls-threshold T`` removes the
classes it scores below T instead; ``--crf deeplab`` adds dense-CRF
post-processing; ``--out DIR`` writes one palette PNG of class ids per
image.  Any split in the same layout can be scored with ``--cfg-options
test_dataloader.dataset.data_root=ROOT
test_dataloader.dataset.ann_file=ImageSets/Segmentation/NAME.txt``.

The test dataset's class names must be those the checkpoint was trained
on (``meta.dataset_meta.classes``, saved by MMEngine): data with other
names in the same number of classes would be scored against the wrong
classes, so that is an error listing the differing indices (a checkpoint
without names only warns).
"""
import argparse
import json
import numbers
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import mmwsss  # noqa: F401
from mmwsss.apis import check_checkpoint, check_config, prepare_launcher
from mmwsss.apis.inference import check_checkpoint_classes
from tool_setup import load_model_config, run_main


def parse_args():
    parser = argparse.ArgumentParser(description='Test a checkpoint')
    parser.add_argument('config', help='a model config, or a pipeline config')
    parser.add_argument('checkpoint', help='a checkpoint, or the work dir of '
                        'the pipeline config')
    parser.add_argument('--stage', help='pipeline: test this training '
                        'stage\'s model instead of the final one')
    parser.add_argument('--work-dir', help='where logs and metrics go')
    parser.add_argument('--out', help='write prediction PNGs to this folder')
    parser.add_argument('--no-suppression', action='store_true',
                        help='PSL: keep classes the branch deems absent')
    parser.add_argument('--cls-threshold', type=float,
                        help='PSL: remove the classes the branch scores '
                        'below this, instead of re-weighting by the branch')
    parser.add_argument('--crf', choices=['deeplab', 'psa', 'irn'],
                        help='dense-CRF post-processing with this preset')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings, e.g. test_dataloader.'
                        'dataset.ann_file=ImageSets/Segmentation/test.txt')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def apply_test_options(cfg: Config, args) -> None:
    """Map the flags onto the model's test_cfg and the evaluator."""
    test_cfg = cfg.model.setdefault('test_cfg', {})
    if args.no_suppression:
        test_cfg['cls_suppression'] = False
    if args.cls_threshold is not None:
        test_cfg['cls_correction'] = 'threshold'
        test_cfg['cls_threshold'] = args.cls_threshold
    if args.crf:
        test_cfg['crf'] = args.crf
    if args.out:
        evaluator = cfg.test_evaluator
        if evaluator.get('type') != 'WSSSIoUMetric':
            raise SystemExit('--out needs test_evaluator WSSSIoUMetric (a '
                             'segmentation config with ground truth); '
                             'tools/infer.py writes masks for any images')
        evaluator['output_dir'] = osp.abspath(args.out)


def main():
    args = parse_args()
    cfg, checkpoint = load_model_config(args.config, args.checkpoint,
                                        args.stage, args.cfg_options)
    cfg.work_dir = args.work_dir or osp.join(
        './work_dirs', osp.splitext(osp.basename(args.config))[0], 'test')
    apply_test_options(cfg, args)
    check_config(cfg, args.config)
    meta = check_checkpoint(cfg, checkpoint)
    prepare_launcher(cfg, args.launcher)
    cfg.load_from = checkpoint
    runner = Runner.from_cfg(cfg)
    # the dataset the scores are computed on (runner.test() reuses it)
    dataset = runner.test_loop.dataloader.dataset
    check_checkpoint_classes(checkpoint, meta, dataset.metainfo.get(
        'classes'), f'the test dataset of {args.config}')
    metrics = runner.test()
    scores = {k: float(v) for k, v in metrics.items()
              if isinstance(v, numbers.Real)}
    print(' '.join(f'{k}: {v:.2f}' for k, v in scores.items()))
    print(json.dumps(scores))


if __name__ == '__main__':
    run_main(main)
