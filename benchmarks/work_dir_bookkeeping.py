"""Benchmark (issue 22): what the work dir's new checks cost before the
stages run, on a pipeline config's training data: the data check (class
counts, typos, EXIF orientations) and one dataset manifest (tags and image
content hashes, the fingerprint of what a dataset holds), cold (every
file read and hashed, a work dir's first run) and warm (hashes cached by
size and modification time, every later run).  Median of 5 runs each.

    python benchmarks/work_dir_bookkeeping.py \\
        configs/ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py
"""
import argparse
import statistics
import tempfile
import time

from mmengine.config import Config

import mmwsss  # noqa: F401
from mmwsss.stages.data_checks import check_pipeline_data
from mmwsss.stages.dataset_record import FileHashes, dataset_manifest
from mmwsss.stages.pipeline import PipelineRun


def median_seconds(action, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    cfg.work_dir = tempfile.mkdtemp()
    run = PipelineRun(cfg, 'none', None, False)
    key, stage_cfg = run.training_config()
    dataset = stage_cfg[key].dataset
    check = median_seconds(lambda: check_pipeline_data(
        stage_cfg, key, **run.dataset_check))
    cold = median_seconds(lambda: dataset_manifest(dict(dataset)))
    cache = FileHashes()
    images = len(dataset_manifest(dict(dataset), hashes=cache)['images'])
    warm = median_seconds(lambda: dataset_manifest(dict(dataset),
                                                   hashes=cache))
    print(f'{args.config}: {images} training images; data check '
          f'{check:.2f} s, one dataset manifest {cold:.2f} s cold, '
          f'{warm:.2f} s warm (medians of 5)')


if __name__ == '__main__':
    main()
