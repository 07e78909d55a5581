"""Benchmark: dense-CRF throughput on 2 cores, 1 worker vs 2 processes.

Times ``refine_probs`` (preset 'psa', 10 mean-field iterations) over
``--num-images`` MSRC-sized (320x213) images with 17 labels, alternating
three ways of running a per-image step, each including what a real run
pays (starting processes, sending every image and its probabilities):

* ``serial``: one process;
* ``before``: ``--workers`` processes started anew for every batch of 8
  images, as the per-image steps did before issue 12 (a pool per batch);
* ``after``: ``--workers`` processes started once for the whole step
  (:func:`mmwsss.utils.per_image.worker_pool`).

Inputs are smooth random blobs (not uniform noise), so the bilateral
lattice is as sparse as on photos.

    python benchmarks/crf_throughput.py [--num-images 64] [--repeats 5]

The last number printed is the speed-up serial / after.
"""
import argparse
import os
import platform
import statistics
import time

import numpy as np

from mmwsss.crf import refine_probs
from mmwsss.utils.per_image import worker_pool


def smooth_field(rng, channels, height, width, cells=8):
    """Random values on a coarse grid, upsampled: blob-like structure."""
    coarse = rng.random((channels, cells, cells))
    rows = np.linspace(0, cells - 1, height).round().astype(int)
    cols = np.linspace(0, cells - 1, width).round().astype(int)
    return coarse[:, rows][:, :, cols]


def make_inputs(num_images, height, width, num_labels, seed=0):
    """(image, probs) pairs: blobby RGB + noise, softmax of blobby logits."""
    rng = np.random.default_rng(seed)
    inputs = []
    for _ in range(num_images):
        rgb = smooth_field(rng, 3, height, width) * 255
        rgb += rng.normal(0, 8, rgb.shape)
        img = np.clip(rgb, 0, 255).astype(np.uint8).transpose(1, 2, 0)
        logits = 4 * smooth_field(rng, num_labels, height, width)
        logits += rng.normal(0, 0.5, logits.shape)
        probs = np.exp(logits - logits.max(0))
        probs /= probs.sum(0)
        inputs.append((np.ascontiguousarray(img), probs.astype(np.float32)))
    return inputs


def refine_task(img, probs):
    """Module-level (picklable) task for the worker pool."""
    return refine_probs(img, probs, 'psa', iterations=10)


def per_batch_pools(tasks, workers, batch=8):
    """The pre-issue-12 way: a new process pool for every batch."""
    for start in range(0, len(tasks), batch):
        with worker_pool(workers) as parallel:
            parallel(refine_task, tasks[start:start + batch])


def one_pool(tasks, workers):
    with worker_pool(workers) as parallel:
        parallel(refine_task, tasks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-images', type=int, default=64)
    parser.add_argument('--height', type=int, default=213)
    parser.add_argument('--width', type=int, default=320)
    parser.add_argument('--labels', type=int, default=17)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()

    tasks = make_inputs(args.num_images, args.height, args.width,
                        args.labels)
    processor = platform.processor() or 'unknown'
    print(f'machine: {platform.machine()} processor={processor!r} '
          f'cpu_count={os.cpu_count()} python={platform.python_version()}')
    print(f'{args.num_images} images {args.width}x{args.height}, '
          f'{args.labels} labels, preset psa, 10 iterations, '
          f'median of {args.repeats}, alternating')
    runs = dict(serial=lambda: one_pool(tasks, 1),
                before=lambda: per_batch_pools(tasks, args.workers),
                after=lambda: one_pool(tasks, args.workers))
    times = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, seconds in medians.items():
        print(f'{name:>6}: {seconds:.2f} s, '
              f'{args.num_images / seconds:.2f} images/s')
    print(f'before: speed-up {medians["serial"] / medians["before"]:.2f}x')
    print(f'speed-up {args.workers} workers vs 1: '
          f'{medians["serial"] / medians["after"]:.2f}')


if __name__ == '__main__':
    main()
