"""Benchmark: dense-CRF throughput with 1 worker vs N worker processes.

Times ``refine_probs`` (preset 'psa', 10 mean-field iterations) over
``--num-images`` MSRC-sized (320x213) images with 17 labels through
``crf_map``, once in-process and once with ``--workers`` processes. Each
timing includes what a real run pays: creating the pool and sending each
image and its probabilities to a worker. Inputs are smooth random blobs
(not uniform noise), so the bilateral lattice is as sparse as on photos.

    python benchmarks/crf_throughput.py --num-images 16 --repeats 3
"""
import argparse
import os
import platform
import statistics
import time

import numpy as np

from mmwsss.crf import crf_map, refine_probs


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
    """Module-level (picklable) task for crf_map."""
    return refine_probs(img, probs, 'psa', iterations=10)


def median_time(tasks, workers, repeats):
    """Median wall time of ``repeats`` full passes over ``tasks``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        crf_map(refine_task, tasks, num_workers=workers)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-images', type=int, default=16)
    parser.add_argument('--height', type=int, default=213)
    parser.add_argument('--width', type=int, default=320)
    parser.add_argument('--labels', type=int, default=17)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()

    tasks = make_inputs(args.num_images, args.height, args.width,
                        args.labels)
    processor = platform.processor() or 'unknown'
    print(f'machine: {platform.machine()} processor={processor!r} '
          f'cpu_count={os.cpu_count()} python={platform.python_version()}')
    print(f'{args.num_images} images {args.width}x{args.height}, '
          f'{args.labels} labels, preset psa, 10 iterations, '
          f'median of {args.repeats}')
    rates = {}
    for workers in (1, args.workers):
        seconds = median_time(tasks, workers, args.repeats)
        rates[workers] = args.num_images / seconds
        print(f'workers={workers}: {seconds:.2f} s, '
              f'{rates[workers]:.2f} images/s')
    print(f'speed-up {args.workers} vs 1 workers: '
          f'{rates[args.workers] / rates[1]:.2f}x')


if __name__ == '__main__':
    main()
