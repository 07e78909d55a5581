"""Train-step cost of PSL's classification branch and online masks.

Builds a PSL segmentor from a config and the same segmentor with the bare
decode head (no branch, no online masks), all with random weights, and
times full training steps (forward, losses, backward, optimizer step) on
the same batch, alternating the models so that all see the same machine
load.  Three models: ``plain`` (the bare head), ``psl_labels`` (online
masks and their loss at the pseudo masks' resolution: mmwsss before issue
12) and ``psl`` (at the logits' resolution, the default).

    python benchmarks/psl_head_cost.py [--config C] [--repeats 7]

The default config is the old MSRC-17 segmentor's head, an ASPP head on a
stride-16 MobileNetV2 at 256x256 crops (where the cost was measured
first), built inline;
``--config configs/psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py``
measures the shipped one.  The last number printed is the ratio
PSL / plain head.
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
from mmseg.structures import SegDataSample

import mmwsss  # noqa: F401
from mmwsss.registry import MODELS

NORM = dict(type='BN', requires_grad=True)
# the MSRC-17 segmentor before issue 8 (MobileNetV2 stride 16 + ASPP)
ASPP_MODEL = dict(
    type='WSSSEncoderDecoder',
    data_preprocessor=dict(type='WSSSDataPreProcessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], bgr_to_rgb=True,
                           size=(256, 256), seg_pad_val=255),
    backbone=dict(type='MobileNetV2', widen_factor=1.,
                  strides=(1, 2, 2, 2, 1, 1, 1),
                  dilations=(1, 1, 1, 1, 1, 2, 2), out_indices=(2, 6),
                  norm_cfg=NORM, norm_eval=True),
    decode_head=dict(
        type='PSLHead', cls_in_channels=320, cls_dropout=0.1,
        seg_head=dict(type='ASPPHead', in_channels=320, in_index=1,
                      channels=128, dilations=(1, 6, 12, 18),
                      dropout_ratio=0.1, num_classes=17, norm_cfg=NORM,
                      align_corners=False,
                      loss_decode=dict(type='CrossEntropyLoss',
                                       avg_non_ignore=True))),
    train_cfg=dict(), test_cfg=dict(mode='whole'))


def without_pretrained(model_cfg: dict) -> dict:
    model_cfg = copy.deepcopy(model_cfg)
    model_cfg['backbone'].pop('init_cfg', None)
    return model_cfg


def fake_batch(batch_size: int, size, num_classes: int, seed: int = 0):
    """Images, masks with ignored pixels, and 1-3 labels per image."""
    rng = np.random.default_rng(seed)
    inputs = torch.from_numpy(rng.normal(size=(batch_size, 3, *size))
                              .astype(np.float32))
    samples = []
    for _ in range(batch_size):
        labels = sorted(rng.choice(np.arange(1, num_classes),
                                   rng.integers(1, 4), replace=False))
        mask = rng.choice([0, *labels, 255], size=size)
        sample = SegDataSample(metainfo=dict(
            img_labels=[int(c) for c in labels], img_shape=size,
            pad_shape=size))
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
    parser.add_argument('--config', help='a PSL segmentor config (default: '
                        'the old MSRC-17 ASPP segmentor, inline)')
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--repeats', type=int, default=7)
    args = parser.parse_args()
    init_default_scope('mmseg')
    if args.config:
        cfg = Config.fromfile(args.config)
        psl_cfg = without_pretrained(cfg.model.to_dict())
        size = tuple(psl_cfg['data_preprocessor'].get('size') or (256, 256))
    else:
        psl_cfg, size = copy.deepcopy(ASPP_MODEL), (256, 256)
    # every model starts from the same weights, online masks on at once
    psl_cfg['decode_head']['online_start'] = 0.0
    plain_cfg = copy.deepcopy(psl_cfg)
    plain_cfg['decode_head'] = plain_cfg['decode_head']['seg_head']
    labels_cfg = copy.deepcopy(psl_cfg)
    labels_cfg['decode_head']['online_at_logits'] = False
    models = {}
    for name, model_cfg in (('plain', plain_cfg), ('psl_labels', labels_cfg),
                            ('psl', psl_cfg)):
        torch.manual_seed(0)
        models[name] = MODELS.build(model_cfg).train()
    inputs, samples = fake_batch(args.batch_size, size,
                                 models['psl'].num_classes)
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
          f'threads, torch {torch.__version__}; {args.config or "ASPP"}; '
          f'batch {args.batch_size} x {size[0]}x{size[1]}, '
          f'{args.repeats} steps each, alternating')
    for name, value in medians.items():
        print(f'{name:>10}: median train step {value:.3f} s '
              f'(all: {", ".join(f"{t:.2f}" for t in times[name])})')
    print(f'before (online masks at the masks\' resolution): '
          f'{medians["psl_labels"] / medians["plain"]:.3f}')
    print(f'ratio PSL / plain head: {medians["psl"] / medians["plain"]:.3f}')


if __name__ == '__main__':
    main()
