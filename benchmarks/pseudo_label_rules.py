"""Benchmark (issue 24): the saliency-guided pseudo-mask rule's settings
on a finished work dir's cues, scored on the training images' ground truth
(evaluation only), plus a "part of a salient whole" probe.

    python benchmarks/pseudo_label_rules.py WORK_DIR \
        [--config configs/ae/ae_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py] \
        [--cam-thresholds 0.1,0.2,0.3] [--fuse-steps 1,2,3] \
        [--untagged face] [--contested cam,smaller_claim]

WORK_DIR holds ``cams/cams``, ``classifier/erasing/regions`` and
``saliency/maps`` of an AE-PSL run.  For every (fuse steps, CAM threshold)
pair it prints mIoU, precision, recall and the ignored share.  The probe
re-composes the images tagged with ``--untagged`` as if that class had no
tag (its CAM and regions dropped) and reports where its ground-truth
pixels go: a class that co-occurs with it (the failure the issue names:
untagged parts of a salient whole taking a tagged class), background or
ignored.
"""
import argparse
import os.path as osp

from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401
from mmwsss.evaluation.pseudo_label_eval import ConfusionMatrix
from mmwsss.pseudo_labels.masks import IGNORE, compose_pseudo_label, load_cues
from mmwsss.registry import DATASETS
from mmwsss.utils.io import read_mask


def _floats(text: str):
    return [float(value) for value in text.split(',')]


def _load_all(dataset, work_dir: str):
    """Every training image's cues and ground truth, read once."""
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        cues = load_cues(info, osp.join(work_dir, 'cams', 'cams'),
                         osp.join(work_dir, 'classifier', 'erasing',
                                  'regions'),
                         osp.join(work_dir, 'saliency', 'maps'))
        yield cues, read_mask(info['seg_map_path'])


def _drop_label(cues: dict, label: int) -> dict:
    keep = [i for i, value in enumerate(cues['labels']) if value != label]
    return dict(cues, labels=[cues['labels'][i] for i in keep],
                cams=cues['cams'][keep],
                regions=cues['regions'][:, keep])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir')
    parser.add_argument(
        '--config',
        default='configs/ae/ae_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py')
    parser.add_argument('--cam-thresholds', type=_floats,
                        default=[0.1, 0.2, 0.3])
    parser.add_argument('--fuse-steps', type=_floats, default=[1, 2, 3])
    parser.add_argument('--untagged', default='face')
    parser.add_argument('--contested', type=lambda t: t.split(','),
                        default=['cam'], help='rules for pixels two '
                        'classes claim (cam, smaller_claim)')
    args = parser.parse_args()
    init_default_scope('mmseg')
    dataset = DATASETS.build(Config.fromfile(args.config).cam_dataloader
                             .dataset)
    classes = dataset.metainfo['classes']
    data = list(_load_all(dataset, args.work_dir))
    probe = classes.index(args.untagged) if args.untagged else None
    grid = [(steps, threshold, rule) for rule in args.contested
            for steps in args.fuse_steps for threshold in args.cam_thresholds]
    for steps, threshold, rule in grid:
        settings = dict(fuse_steps=int(steps), cam_threshold=threshold,
                        contested=rule)
        matrix = ConfusionMatrix(len(classes))
        ignored = total = 0
        went = dict(background=0, ignored=0, other_class=0, pixels=0)
        for cues, gt in data:
            label_map = compose_pseudo_label('ae_saliency', **cues,
                                             **settings)
            matrix.update(label_map, gt)
            ignored += int((label_map == IGNORE).sum())
            total += label_map.size
            if probe is not None and probe in cues['labels']:
                probed = compose_pseudo_label(
                    'ae_saliency', **_drop_label(cues, probe),
                    **settings)[gt == probe]
                went['pixels'] += probed.size
                went['background'] += int((probed == 0).sum())
                went['ignored'] += int((probed == IGNORE).sum())
                went['other_class'] += int(
                    ((probed != 0) & (probed != IGNORE)).sum())
        scores = matrix.scores(classes)
        line = (f'contested {rule} fuse_steps {int(steps)} '
                f'cam_threshold {threshold:.2f}:'
                f' mIoU {scores["mIoU"]:.2f} precision '
                f'{scores["precision"]:.2f} recall {scores["recall"]:.2f}'
                f' ignored {100.0 * ignored / total:.1f}%')
        if went['pixels']:
            line += ('  | untagged ' + args.untagged + ': ' + ', '.join(
                f'{key} {100.0 * went[key] / went["pixels"]:.1f}%'
                for key in ('other_class', 'background', 'ignored')))
        print(line, flush=True)


if __name__ == '__main__':
    main()
