"""Benchmark (a): cost of multi-scale + flip CAM inference on the CPU.

Compares, in one run on the same model and batch, the time of
``multi_scale_cam_logits`` with 4 scales + flip against the sum of plain
forward passes at those scales (no flip, no resizing of outputs).  The
ratio shows what flip batching and the CAM post-processing cost on top of
the forward passes themselves (flip alone doubles the work: ideal ~2.0).

    python benchmarks/cam_inference_cost.py --repeats 5
"""
import argparse
import platform
import statistics
import time

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

import mmwsss  # noqa: F401
from mmwsss.models.classifiers.cam import multi_scale_cam_logits

SCALES = (1.0, 0.5, 1.5, 2.0)


def timed(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default='configs/cam/cam_mbv2_msrc17.py')
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument('--height', type=int, default=213)
    parser.add_argument('--width', type=int, default=320)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()

    init_default_scope('mmseg')
    cfg = Config.fromfile(args.config)
    cfg.model.backbone.init_cfg = None  # timing only: random weights
    model = MODELS.build(cfg.model).eval()
    torch.manual_seed(0)
    x = torch.randn(args.batch, 3, args.height, args.width)

    def plain():
        for scale in SCALES:
            xs = x if scale == 1.0 else F.interpolate(
                x, scale_factor=scale, mode='bilinear', align_corners=False)
            model.cam_logits(xs)

    def multi_scale_flip():
        multi_scale_cam_logits(model.cam_logits, x, SCALES, flip=True)

    with torch.no_grad():
        t_plain = timed(plain, args.repeats)
        t_ms = timed(multi_scale_flip, args.repeats)
    print(f'machine: {platform.processor() or platform.machine()}, '
          f'{torch.get_num_threads()} torch threads, torch {torch.__version__}')
    print(f'config {args.config}, batch {args.batch} x {args.height}x'
          f'{args.width}, scales {SCALES}, median of {args.repeats}')
    print(f'sum of plain forwards at the 4 scales: {t_plain:.3f} s')
    print(f'4 scales + flip CAM inference:        {t_ms:.3f} s')
    print(f'ratio: {t_ms / t_plain:.2f}x '
          f'({t_ms / args.batch * 1000:.0f} ms per image)')


if __name__ == '__main__':
    main()
