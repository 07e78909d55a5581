"""Train-step cost of PSL's classification branch and online masks.

Builds the MSRC-17 PSL segmentor (MobileNetV2 + ASPP wrapped by PSLHead)
and the same segmentor with the bare ASPPHead (no branch, no online masks),
both with random weights, and times full training steps (forward, losses,
backward, optimizer step) on the same batch, alternating the two models so
that both see the same machine load.  Reports medians and their ratio.

    python benchmarks/psl_head_cost.py --repeats 7
"""
import argparse
import copy
import platform
import statistics
import time

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import mmwsss  # noqa: F401

CONFIG = 'configs/psl/psl_aspp_mbv2_10e_msrc17.py'


def without_pretrained(model_cfg: dict) -> dict:
    model_cfg = copy.deepcopy(model_cfg)
    model_cfg['backbone'].pop('init_cfg', None)
    return model_cfg


def fake_batch(batch_size: int, size: int, num_classes: int, seed: int = 0):
    """Images, masks with ignored pixels, and 1-3 labels per image."""
    rng = np.random.default_rng(seed)
    inputs = torch.from_numpy(rng.normal(size=(batch_size, 3, size, size))
                              .astype(np.float32))
    samples = []
    for _ in range(batch_size):
        labels = sorted(rng.choice(np.arange(1, num_classes),
                                   rng.integers(1, 4), replace=False))
        mask = rng.choice([0, *labels, 255], size=(size, size))
        sample = SegDataSample(metainfo=dict(
            img_labels=[int(c) for c in labels], img_shape=(size, size),
            pad_shape=(size, size)))
        sample.gt_sem_seg = PixelData(data=torch.from_numpy(mask)[None])
        samples.append(sample)
    return inputs, samples


def step_timer(model, inputs, samples):
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)

    def step():
        losses = model.loss(inputs, samples)
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=CONFIG)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--repeats', type=int, default=7)
    args = parser.parse_args()
    init_default_scope('mmseg')
    cfg = Config.fromfile(args.config)
    psl_cfg = without_pretrained(cfg.model.to_dict())
    plain_cfg = copy.deepcopy(psl_cfg)
    plain_cfg['decode_head'] = plain_cfg['decode_head']['seg_head']
    torch.manual_seed(0)
    models = dict(psl=MODELS.build(psl_cfg).train(),
                  plain=MODELS.build(plain_cfg).train())
    num_classes = models['psl'].num_classes
    inputs, samples = fake_batch(args.batch_size, args.size, num_classes)
    steps = {name: step_timer(m, inputs, samples)
             for name, m in models.items()}
    for step in steps.values():
        step()  # warm-up
    times = {name: [] for name in steps}
    for _ in range(args.repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f'machine: {platform.machine()}, {torch.get_num_threads()} '
          f'threads, torch {torch.__version__}; batch {args.batch_size} x '
          f'{args.size}x{args.size}, {args.repeats} steps each')
    for name, value in medians.items():
        print(f'{name:>5}: median train step {value:.3f} s '
              f'(all: {", ".join(f"{t:.2f}" for t in times[name])})')
    print(f'ratio PSL / plain head: {medians["psl"] / medians["plain"]:.3f}')


if __name__ == '__main__':
    main()
