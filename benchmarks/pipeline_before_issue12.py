"""Run a multi-stage pipeline with the per-image mechanics of before
issue 12 put back, to time the whole pipeline before and after.

Same command line as ``tools/train.py``; what differs from it:

* **CAM inference** (``cams`` stage): every scale's maps of all classes
  resized to the padded batch's full size and summed there, then each
  image's labelled maps cropped, resized to its size and normalised
  (now: summed on a 1/4 grid, only the labelled maps upsampled once);
* **mining** (the erasing loop): scale 1 *with* the flip and CAMs at
  every image's full size, then averaged onto the erasing grid (now: no
  flip, CAMs kept on their coarse grid);
* **PSL head** (``psl``, ``psl_plus``): online masks and their loss at
  the pseudo masks' full resolution (``online_at_logits=False``; now: at
  the logits' resolution);
* **PSL++ masks** (``psl_plus_labels``): the network predicts a batch,
  hands it to the CRF workers and waits (now: streamed, the network
  predicts the next image while the workers refine).

The method is the same on both sides; the mining flip and the full-size
CAMs can move mined regions by a pixel of the erasing grid, so the pseudo
masks are close, not bit-equal.  The pseudo-mask step's own streaming
(1-2 s of the MSRC-17 pipeline) is not put back.

    python benchmarks/pipeline_before_issue12.py \\
        configs/ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py \\
        --work-dir work_dirs/before --seed 0
    python tools/stage_report.py work_dirs/before

Compare with ``tools/train.py`` on the same config and seed, each alone
on the machine (docs/benchmarks.md, issue 12).
"""
import os.path as osp
import runpy
import sys
from itertools import islice

import torch
import torch.nn.functional as F

import mmwsss  # noqa: F401
from mmwsss.models.classifiers import cam as cam_module
from mmwsss.models.classifiers import cam_classifier
from mmwsss.pseudo_labels import psl_plus
from mmwsss.stages import label_stages
from mmwsss.utils.per_image import ImageShard, worker_pool

TRAIN = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'tools',
                 'train.py')
ONLINE_AT_FULL_SIZE = [
    f'stages.{stage}.cfg_options.model.decode_head.online_at_logits=False'
    for stage in ('psl', 'psl_plus')
]


def full_size_batch_cams(cam_fn, inputs, batch_labels, valid_shapes,
                         out_shapes=None, scales=cam_module.DEFAULT_CAM_SCALES,
                         flip=True):
    """CAM inference before issue 12: full-size accumulation of all
    classes (``out_shapes=False``, the mining call, gets full-size maps
    too: the caller averages them onto its grid)."""
    batch = inputs.shape[0]
    # stride 1: every scale's maps resized to the full padded size
    total = cam_module.multi_scale_cam_logits(cam_fn, inputs, scales, flip,
                                              stride=1)
    out_shapes = out_shapes or [None] * batch
    maps = []
    for i, labels in enumerate(batch_labels):
        h, w = valid_shapes[i]
        picked = total[i, [int(c) - 1 for c in labels], :h, :w]
        out = tuple(out_shapes[i] or (h, w))
        if len(labels) and out != (h, w):
            picked = F.interpolate(picked[None], size=out, mode='bilinear',
                                   align_corners=False)[0]
        maps.append(cam_module.normalise_cams(picked) if len(labels)
                    else total.new_zeros((0, ) + out))
    return maps


_predict_cams = cam_classifier.CAMClassifier.predict_cams


def predict_cams_before(self, inputs, data_samples, scales=None, flip=None,
                        full_size=True):
    """Mining (``full_size=False``) ran with the flip and full-size CAMs."""
    if not full_size:
        flip, full_size = True, True
    return _predict_cams(self, inputs, data_samples, scales, flip,
                         full_size=full_size)


@torch.no_grad()
def psl_plus_labels_batch_then_wait(model, dataset, out_dir, crf='deeplab',
                                    use_cls_weights=True,
                                    absent_classes='drop', batch_size=1,
                                    num_workers=0, crf_workers=1,
                                    keep_masks_dir=None, show_progress=True):
    """The PSL++ mask step before issue 12: a batch's CRF tasks go to the
    pool, the step waits for them, then predicts the next batch."""
    shard = ImageShard(dataset, out_dir, '.png', show_progress=show_progress)
    tasks = psl_plus._refine_tasks(
        model, shard, batch_size, num_workers,
        dict(use_cls_weights=use_cls_weights, absent_classes=absent_classes),
        (crf, dataset.metainfo['palette']), keep_masks_dir)
    with worker_pool(crf_workers) as parallel:
        while True:
            batch = list(islice(tasks, batch_size))
            if not batch:
                break
            for is_empty in parallel(psl_plus._refine_and_write, batch):
                if is_empty:
                    shard.count('empty')
                shard.advance()
    return shard.tally()


def put_back_old_mechanics() -> None:
    cam_classifier.batch_cams = full_size_batch_cams
    cam_classifier.CAMClassifier.predict_cams = predict_cams_before
    label_stages.make_psl_plus_labels = psl_plus_labels_batch_then_wait


def main() -> None:
    put_back_old_mechanics()
    args = sys.argv[1:]
    if '--cfg-options' in args:
        at = args.index('--cfg-options') + 1
        args[at:at] = ONLINE_AT_FULL_SIZE
    else:
        args += ['--cfg-options'] + ONLINE_AT_FULL_SIZE
    sys.argv = [TRAIN] + args
    runpy.run_path(TRAIN, run_name='__main__')


if __name__ == '__main__':
    main()
