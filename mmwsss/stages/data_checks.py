"""The pipeline's training data, checked once before the first stage.

Everything here reads what training may read (image-level labels, image
headers) and stops the run at once, naming the files, where the data would
otherwise give a silently wrong model an hour later: classes with too few
images, tags that look like typos, classes the tags cannot separate
(:mod:`mmwsss.datasets.dataset_check`), and photos whose decoded size
disagrees with their EXIF orientation (:func:`mmwsss.utils.io.image_size`).
"""
import json
import os.path as osp
from typing import Any, Dict, List, Optional

from mmengine.config import Config
from mmengine.dist import get_rank
from mmengine.logging import print_log
from mmengine.registry import init_default_scope

from mmwsss.datasets.dataset_check import (MIN_TRAIN_IMAGES,
                                           check_training_data, tags_only)
from mmwsss.registry import DATASETS
from mmwsss.utils.io import atomic_write, check_decoded_size

#: the data check's report in the work dir, for ``tools/stage_report.py``
DATASET_CHECK = 'dataset_check.json'

#: held-back datasets whose image labels are tags (a labels file), so that
#: counting them reads no mask
_TAGGED_DATASETS = ('ImageLabelFolderDataset', )


def _held_back(cfg: Config) -> Optional[dict]:
    dataset = (cfg.get('val_dataloader') or {}).get('dataset')
    if isinstance(dataset, dict) and dataset.get('type') in _TAGGED_DATASETS:
        return dataset
    return None


def orientation_problems(dataset) -> List[str]:
    """Training images whose decoded size disagrees with the size viewers
    show (EXIF orientation); upright images cost one header read."""
    problems = []
    for index in range(len(dataset)):
        problem = check_decoded_size(dataset.get_data_info(index)['img_path'])
        if problem:
            problems.append(problem)
    return problems


def check_pipeline_data(cfg: Config, key: str,
                        min_images: int = MIN_TRAIN_IMAGES,
                        allow_rare: bool = False) -> dict:
    """Check ``cfg[key].dataset`` (the training images) and log the
    report; returns it as a dict (for ``dataset_check.json``).  Raises
    ``ValueError`` with every problem when the data cannot train."""
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    train = DATASETS.build(tags_only(dict(cfg[key].dataset)))
    held = _held_back(cfg)
    report = check_training_data(
        train, DATASETS.build(tags_only(held)) if held else None,
        min_images=min_images, allow_rare=allow_rare)
    sideways = orientation_problems(train)
    if sideways:
        raise ValueError(f'{len(sideways)} training photos decode at '
                         'another size than they are shown:\n  ' +
                         '\n  '.join(sideways))
    print_log('training data:\n' + report.format(), logger='current')
    return report.to_dict()


def write_data_check(work_dir: str, cfg: Config, key: str,
                     options: Dict[str, Any]) -> None:
    """Check the pipeline's training data (``cfg[key].dataset``, with the
    config's ``dataset_check`` ``options``) before the first stage, and
    keep the report as ``WORK_DIR/dataset_check.json`` (rank 0) for the
    stage report."""
    report = check_pipeline_data(cfg, key, **options)
    if get_rank() == 0:
        with atomic_write(osp.join(work_dir, DATASET_CHECK), 'w') as handle:
            json.dump(report, handle, indent=2)
