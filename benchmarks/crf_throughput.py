"""Benchmark: dense-CRF throughput on 2 cores, 1 worker vs 2 processes.

Every side does the same work per image: dense CRF (preset 'psa', 10
mean-field iterations) of a 320x213 image with ``--labels`` class
probabilities, argmax, label PNG written.  They differ in how the work
reaches the worker processes, which is what kept 2 workers from 2x:

* ``serial``: one process, no transfer (the reference);
* ``pool_per_batch``: processes started anew for every batch of 8 images,
  image and probabilities pickled to the worker, the CRF marginals
  (``labels`` x H x W floats) pickled back, argmax and PNG in the parent:
  the per-image steps before issue 12;
* ``one_pool``: the same with processes started once for the step;
* ``after``: as the pipeline's steps run now
  (:class:`mmwsss.utils.per_image.WorkerMap`): processes started once,
  tasks streamed, the worker decodes the image from its path and writes
  the label PNG itself, only a flag comes back;
* ``independent``: the machine's ceiling: ``--workers`` forked processes
  that each do their share of the images with nothing sent to them or
  back (no pool, no pipe).

Inputs are smooth random blobs (not uniform noise), so the bilateral
lattice is as sparse as on photos.

    python benchmarks/crf_throughput.py [--num-images 64] [--repeats 5]

The last number printed is the speed-up serial / after.
"""
import argparse
import multiprocessing
import os
import platform
import shutil
import statistics
import tempfile
import time

import numpy as np
from PIL import Image

from mmwsss.crf import refine_probs
from mmwsss.utils.io import read_image, write_label_png
from mmwsss.utils.per_image import worker_pool

PALETTE = [[i * 13 % 256, i * 57 % 256, i * 101 % 256] for i in range(32)]


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
    """Module-level (picklable) task: the marginals go back."""
    return refine_probs(img, probs, 'psa', iterations=10)


def refine_and_write(img_path, probs, out_path):
    """The worker does the whole step: decode, CRF, argmax, write."""
    marginals = refine_probs(read_image(img_path, 'rgb'), probs, 'psa',
                             iterations=10)
    write_label_png(out_path, marginals.argmax(axis=0), PALETTE)
    return True


def write_in_parent(outputs, marginals):
    for out_path, image_marginals in zip(outputs, marginals):
        write_label_png(out_path, image_marginals.argmax(axis=0), PALETTE)


def per_batch_pools(tasks, outputs, workers, batch=8):
    """The pre-issue-12 way: a new process pool for every batch."""
    for start in range(0, len(tasks), batch):
        with worker_pool(workers) as parallel:
            write_in_parent(outputs[start:start + batch],
                            parallel(refine_task, tasks[start:start + batch]))


def one_pool(tasks, outputs, workers):
    with worker_pool(workers) as parallel:
        write_in_parent(outputs, parallel(refine_task, tasks))


def streamed(path_tasks, workers):
    with worker_pool(workers) as parallel:
        for _ in parallel.imap(refine_and_write, path_tasks):
            pass


def _do_share(path_tasks):
    for task in path_tasks:
        refine_and_write(*task)


def independent(path_tasks, workers):
    """Forked processes, each with its share inherited: no transfer."""
    context = multiprocessing.get_context('fork')
    processes = [context.Process(target=_do_share,
                                 args=(path_tasks[rank::workers], ))
                 for rank in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()


def write_images(tasks, folder):
    """Save the inputs as PNG files (what the steps' workers decode)."""
    paths = []
    for index, (img, _) in enumerate(tasks):
        path = os.path.join(folder, f'{index:03d}.png')
        Image.fromarray(img).save(path)
        paths.append(path)
    return paths


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
    folder = tempfile.mkdtemp(prefix='crf_throughput_')
    paths = write_images(tasks, folder)
    outputs = [os.path.join(folder, f'{i:03d}_out.png')
               for i in range(len(tasks))]
    path_tasks = [(path, probs, out)
                  for path, (_, probs), out in zip(paths, tasks, outputs)]
    runs = dict(serial=lambda: streamed(path_tasks, 1),
                pool_per_batch=lambda: per_batch_pools(tasks, outputs,
                                                       args.workers),
                one_pool=lambda: one_pool(tasks, outputs, args.workers),
                after=lambda: streamed(path_tasks, args.workers),
                independent=lambda: independent(path_tasks, args.workers))
    times = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    shutil.rmtree(folder)
    for name, seconds in medians.items():
        print(f'{name:>14}: {seconds:.2f} s, '
              f'{args.num_images / seconds:.2f} images/s, speed-up '
              f'{medians["serial"] / seconds:.2f}x')
    print(f'speed-up {args.workers} workers vs 1: '
          f'{medians["serial"] / medians["after"]:.2f}')


if __name__ == '__main__':
    main()
