"""Cost of multi-scale + flip CAM inference over the network's own work.

Times, in one run on the same model and batch (alternating the sides):

* ``forward``: plain forward passes of the same inputs: at every scale,
  the images and their flips (one batch per scale), nothing else;
* ``before``: CAM inference as mmwsss did it before issue 12: every
  scale's maps of all classes resized to full resolution and summed, then
  each image's labelled maps cropped and normalised;
* ``after``: :meth:`CAMClassifier.predict_cams` as shipped: maps summed on
  a grid of 1/4 of the input, each image's labelled maps upsampled once
  to its own size.

Images of two sizes (320x213 and 213x320, the MSRC-17 shapes) in one
padded batch, two labels each; random weights (timing only).

    python benchmarks/cam_inference_cost.py [--repeats 5]

The last number printed is the ratio after / forward.
"""
import argparse
import platform
import statistics
import time

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.structures import SegDataSample

import mmwsss  # noqa: F401
from mmwsss.models.classifiers.cam import normalise_cams
from mmwsss.registry import MODELS

SCALES = (1.0, 0.5, 1.5, 2.0)


def before(model, inputs, labels, shapes):
    """The pre-issue-12 CAM inference (full-resolution accumulation)."""
    batch, _, height, width = inputs.shape
    total = None
    for scale in SCALES:
        x = inputs if scale == 1.0 else F.interpolate(
            inputs, scale_factor=scale, mode='bilinear', align_corners=False)
        x = torch.cat([x, x.flip(-1)], dim=0)
        cams = F.relu(model.cam_logits(x))
        cams = cams[:batch] + cams[batch:].flip(-1)
        cams = F.interpolate(cams, size=(height, width), mode='bilinear',
                             align_corners=False)
        total = cams if total is None else total + cams
    return [normalise_cams(total[i, [c - 1 for c in labels[i]], :h, :w])
            for i, (h, w) in enumerate(shapes)]


def timed_alternating(functions, repeats):
    for fn in functions.values():
        fn()  # warm-up
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--config',
        default='configs/cam/cam_mbv2-d16_1xb16-12e_msrc17-256x256.py')
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()

    init_default_scope('mmseg')
    cfg = Config.fromfile(args.config)
    cfg.model.backbone.init_cfg = None  # timing only: random weights
    cfg.model.head.num_classes = 17
    model = MODELS.build(cfg.model).eval()
    torch.manual_seed(0)
    shapes = [(213, 320) if i % 2 == 0 else (320, 213)
              for i in range(args.batch)]
    inputs = torch.zeros(args.batch, 3, 320, 320)
    for i, (h, w) in enumerate(shapes):
        inputs[i, :, :h, :w] = torch.randn(3, h, w)
    labels = [[1 + i % 16, 1 + (i + 5) % 16] for i in range(args.batch)]
    samples = [SegDataSample(metainfo=dict(img_shape=s, ori_shape=s,
                                           img_labels=l))
               for s, l in zip(shapes, labels)]

    def forward():
        for scale in SCALES:
            x = inputs if scale == 1.0 else F.interpolate(
                inputs, scale_factor=scale, mode='bilinear',
                align_corners=False)
            model.cam_logits(torch.cat([x, x.flip(-1)], dim=0))

    functions = dict(
        forward=forward,
        before=lambda: before(model, inputs, labels, shapes),
        after=lambda: model.predict_cams(inputs, samples, SCALES, True))
    with torch.no_grad():
        medians = timed_alternating(functions, args.repeats)
    print(f'machine: {platform.processor() or platform.machine()}, '
          f'{torch.get_num_threads()} torch threads, '
          f'torch {torch.__version__}')
    print(f'config {args.config}, batch {args.batch} (320x213 and 213x320), '
          f'scales {SCALES} + flip, median of {args.repeats}, alternating')
    for name, value in medians.items():
        print(f'{name:>8}: {value:.3f} s')
    print(f'before / forward: {medians["before"] / medians["forward"]:.3f}')
    ratio = medians['after'] / medians['forward']
    print(f'ratio after / forward: {ratio:.3f}')


if __name__ == '__main__':
    main()
