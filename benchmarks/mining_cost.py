"""Cost of an adversarial-erasing mining pass against a training epoch.

On the MSRC-17 AE classifier
(configs/ae/ae_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py, random
weights: timing only) and MSRC-17's shapes (295 train images of 320x213,
30 of them portrait; 19 training iterations of 16 crops of 256x256), times
in one run, alternating the sides:

* ``epoch``: one training epoch (forward, loss, backward, AdamW step);
* ``before``: the mining pass before issue 12: scale 1 + flip, CAMs
  resized to every image's full size, then averaged onto the mask grid;
* ``after``: the loop's mining as shipped: scale 1 without flip (flip
  doubles the pass for a region a hard threshold makes the same), CAMs
  kept on their coarse grid.

    python benchmarks/mining_cost.py [--repeats 5]

The last number printed is the ratio after / epoch.
"""
import argparse
import platform
import statistics
import time

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.structures import SegDataSample

import mmwsss  # noqa: F401
from mmwsss.registry import MODELS
from mmwsss.utils.regions import to_grid


def mining_pass(model, batches, flip: bool, full_size: bool):
    for inputs, samples in batches:
        cams = model.predict_cams(inputs, samples, (1.0, ), flip,
                                  full_size=full_size)
        for cam in cams:
            _ = to_grid(cam, 64) >= 0.6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--config',
        default='configs/ae/ae_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py')
    parser.add_argument('--images', type=int, default=295)
    parser.add_argument('--mining-batch', type=int, default=8)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    init_default_scope('mmseg')
    cfg = Config.fromfile(args.config)
    cfg.model.backbone.init_cfg = None
    cfg.model.head.num_classes = 17
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    shapes = [(320, 213) if i % 10 == 0 else (213, 320)
              for i in range(args.images)]
    batches = []
    for start in range(0, args.images, args.mining_batch):
        chunk = shapes[start:start + args.mining_batch]
        inputs = torch.zeros(len(chunk), 3, 320, 320)
        samples = []
        for i, (h, w) in enumerate(chunk):
            inputs[i, :, :h, :w] = torch.randn(3, h, w)
            samples.append(SegDataSample(metainfo=dict(
                img_shape=(h, w), ori_shape=(h, w), img_labels=[1, 7])))
        batches.append((inputs, samples))
    crops = torch.randn(16, 3, 256, 256)
    crop_samples = [SegDataSample(metainfo=dict(img_labels=[1 + i % 16]))
                    for i in range(16)]
    iterations = -(-args.images // 16)

    def epoch():
        model.train()
        for _ in range(iterations):
            loss = sum(model.loss(crops, crop_samples).values())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    def mine(flip, full_size):
        def run():
            model.eval()
            with torch.no_grad():
                mining_pass(model, batches, flip, full_size)
        return run

    functions = dict(epoch=epoch, before=mine(True, True),
                     after=mine(False, False))
    for fn in functions.values():
        fn()  # warm-up
    times = {name: [] for name in functions}
    for _ in range(args.repeats):
        for name, fn in functions.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f'machine: {platform.machine()}, {torch.get_num_threads()} '
          f'threads, torch {torch.__version__}; {args.images} images to '
          f'mine, {iterations} training iterations of 16 x 256x256; median '
          f'of {args.repeats}, alternating')
    for name, value in medians.items():
        print(f'{name:>7}: {value:.2f} s')
    print(f'before / epoch: {medians["before"] / medians["epoch"]:.3f}')
    print(f'ratio after / epoch: {medians["after"] / medians["epoch"]:.3f}')


if __name__ == '__main__':
    main()
