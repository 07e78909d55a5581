"""Benchmark: the PSL++ mask step with 1 and 2 CRF workers, before and
after its tasks were streamed (issue 12).

Runs :func:`mmwsss.pseudo_labels.psl_plus.make_psl_plus_labels` (network
forward, branch re-weighting, dense CRF ``deeplab``, label PNG) on the
first ``--num-images`` training images of the MSRC-17 segmentor config,
as the pipeline's ``psl_plus_labels`` stage does (batch size 1, the
config's default), and the same step as it was before: the network ran
on a batch, the batch's images went to the pool and the step waited for
them (with batch size 1: one CRF worker busy, the other idle, and no
network while the CRF ran).  Random weights by default (``--checkpoint``
for a trained model).  Needs ``../shared`` (MSRC-17).  Sides alternate;
medians.

    python benchmarks/psl_plus_step_cost.py [--num-images 48] [--repeats 3]

The last number printed is the speed-up of the step with 2 workers, now
over before.
"""
import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

import mmwsss  # noqa: F401
from mmwsss.apis import prepare_config
from mmwsss.pseudo_labels.psl_plus import (_refine_and_write,
                                           label_probabilities,
                                           make_psl_plus_labels)
from mmwsss.registry import DATASETS, MODELS
from mmwsss.utils.per_image import ImageShard, worker_pool

CONFIG = 'configs/psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py'


@torch.no_grad()
def batch_then_wait(model, dataset, out_dir, crf_workers, batch_size=1):
    """The step before issue 12's streaming: predict a batch, hand it to
    the pool, wait for the pool, next batch."""
    shard = ImageShard(dataset, out_dir, '.png', show_progress=False)
    palette = dataset.metainfo['palette']
    with worker_pool(crf_workers) as parallel:
        for batch in shard.loader(batch_size):
            data = model.data_preprocessor(batch, False)
            samples = data['data_samples']
            logits, cls_probs = model.predict_with_cls(data['inputs'],
                                                       samples)
            tasks = []
            for sample, img_logits, img_cls in zip(samples, logits,
                                                   cls_probs):
                class_ids, probs = label_probabilities(
                    img_logits, img_cls, sample.metainfo['img_labels'])
                tasks.append((sample.metainfo['img_path'], class_ids, probs,
                              shard.out_path(sample.metainfo), 'deeplab',
                              palette))
            parallel(_refine_and_write, tasks)


def streamed(model, dataset, out_dir, crf_workers):
    make_psl_plus_labels(model, dataset, out_dir, crf='deeplab',
                         batch_size=1, crf_workers=crf_workers,
                         show_progress=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=CONFIG)
    parser.add_argument('--num-images', type=int, default=48)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--checkpoint', help='trained weights (e.g. a '
                        'pipeline\'s psl/epoch_20.pth) instead of random '
                        'ones: the CRF then refines what a real model '
                        'predicts')
    args = parser.parse_args()
    cfg = prepare_config(Config.fromfile(args.config), args.config)
    init_default_scope('mmseg')
    dataset_cfg = cfg.cam_dataloader.dataset
    dataset_cfg.indices = args.num_images
    dataset = DATASETS.build(dataset_cfg)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    print(f'machine: {platform.machine()} cpu_count={os.cpu_count()} '
          f'python={platform.python_version()} '
          f'torch threads={torch.get_num_threads()}')
    print(f'{len(dataset)} MSRC-17 training images, batch size 1, CRF '
          f'deeplab, median of {args.repeats}, alternating')
    sides = {f'{name}, {workers} worker{"s" * (workers > 1)}':
             (step, workers)
             for name, step in (('before', batch_then_wait),
                                ('now', streamed))
             for workers in (1, 2)}
    times = {name: [] for name in sides}
    for _ in range(args.repeats):
        for name, (step, workers) in sides.items():
            out_dir = tempfile.mkdtemp(prefix='psl_plus_step_')
            start = time.perf_counter()
            step(model, dataset, out_dir, workers)
            times[name].append(time.perf_counter() - start)
            shutil.rmtree(out_dir)
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, seconds in medians.items():
        print(f'{name:>18}: {seconds:.2f} s '
              f'({len(dataset) / seconds:.2f} images/s)')
    for name in ('before', 'now'):
        one, two = medians[f'{name}, 1 worker'], medians[f'{name}, 2 workers']
        print(f'{name}: 2 workers over 1: {one / two:.2f}x')
    print('the step with 2 workers, now over before: '
          f'{medians["before, 2 workers"] / medians["now, 2 workers"]:.2f}')


if __name__ == '__main__':
    main()
