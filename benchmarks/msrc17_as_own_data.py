"""Benchmark (issue 13): MSRC-17 used as a user's own data.

``make-folder`` turns MSRC-17 train into the own-data layout with tags
only (``DATA/images/<stem>.jpg`` links, ``DATA/labels.txt`` with the class
names of each image: its image-level labels, no mask); with
``--pixel-list`` (issue 23) also ``DATA/masks/<stem>.png`` for the images
of that list only (the dataset's README allows a run to read the masks of
the list it names) and ``DATA/masks/classes.txt``, as a user with a few
outlined photos would have them; the template
pipeline then trains on it as a user would.  ``score`` maps the masks
``tools/infer.py`` wrote for MSRC-17 val (images never in the folder) from
the folder's class order (``classes.txt``) to MSRC-17's and scores them
against the val ground truth (evaluation only), printing the mIoU last.

    python benchmarks/msrc17_as_own_data.py make-folder DATA \
        [--pixel-list ImageSets/Segmentation/train_pixel_10pct.txt]
    python tools/train.py \\
        configs/custom/ae-psl_mbv2-d32_1xb16-20e_custom-long320.py \\
        --work-dir W --allow-rare --cfg-options data_root=DATA  # horse: 1
    python tools/infer.py \\
        configs/custom/ae-psl_mbv2-d32_1xb16-20e_custom-long320.py W \\
        ../shared/data/msrc17/JPEGImages --out OUT --cfg-options data_root=DATA
    python benchmarks/msrc17_as_own_data.py score OUT
"""
import argparse
import os
import os.path as osp

import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401
from mmwsss.apis import prepare_config
from mmwsss.evaluation import score_label_folder
from mmwsss.registry import DATASETS
from mmwsss.utils.io import image_stem, read_mask, write_label_png

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SEG_CONFIG = osp.join(REPO, 'configs', 'psl',
                      'psl_mbv2-d32_1xb16-20e_msrc17-224x320.py')


def msrc_dataset(key: str):
    cfg = prepare_config(Config.fromfile(SEG_CONFIG), SEG_CONFIG)
    init_default_scope('mmseg')
    dataset_cfg = cfg[key].dataset
    dataset_cfg.pop('pseudo_seg_map_path', None)
    return DATASETS.build(dataset_cfg)


def make_folder(out: str, pixel_list: str = None) -> None:
    train = msrc_dataset('cam_dataloader')
    classes = train.metainfo['classes']
    os.makedirs(osp.join(out, 'images'), exist_ok=True)
    lines = []
    for index in range(len(train)):
        info = train.get_data_info(index)
        stem = image_stem(info)
        link = osp.join(out, 'images', stem + '.jpg')
        if not osp.lexists(link):
            os.symlink(osp.abspath(info['img_path']), link)
        lines.append(' '.join([stem] + [classes[c]
                                        for c in info['img_labels']]))
    with open(osp.join(out, 'labels.txt'), 'w') as handle:
        handle.write('\n'.join(lines) + '\n')
    print(f'{len(lines)} images with their tags in {out}')
    if pixel_list:
        add_masks(train, out, pixel_list)


def add_masks(train, out: str, pixel_list: str) -> None:
    """``out/masks``: links to the true masks of ``pixel_list``'s images
    (MSRC-17's class indices) and ``classes.txt`` naming each index."""
    with open(osp.join(train.data_root, pixel_list)) as handle:
        stems = [line.strip() for line in handle if line.strip()]
    folder = osp.join(out, 'masks')
    os.makedirs(folder, exist_ok=True)
    for stem in stems:
        source = osp.join(train.data_root, 'SegmentationClass',
                          stem + '.png')
        link = osp.join(folder, stem + '.png')
        if not osp.lexists(link):
            os.symlink(osp.abspath(source), link)
    with open(osp.join(folder, 'classes.txt'), 'w') as handle:
        handle.write('\n'.join(train.metainfo['classes']) + '\n')
    print(f'{len(stems)} true masks ({pixel_list}) in {folder}')


def score(masks: str) -> None:
    val = msrc_dataset('test_dataloader')
    classes = list(val.metainfo['classes'])
    with open(osp.join(masks, 'classes.txt')) as handle:
        folder_classes = handle.read().split()
    lookup = np.full(256, 255, np.uint8)
    for index, name in enumerate(folder_classes):
        lookup[index] = classes.index(name)
    remapped = osp.join(masks, 'msrc17_indices')
    os.makedirs(remapped, exist_ok=True)
    for index in range(len(val)):
        stem = image_stem(val.get_data_info(index))
        mask = lookup[read_mask(osp.join(masks, stem + '.png'))]
        write_label_png(osp.join(remapped, stem + '.png'), mask,
                        val.metainfo['palette'])
    scores = score_label_folder(val, remapped)
    print(f'MSRC-17 val ({len(val)} images) masks from the own-data '
          f'pipeline: precision {scores["precision"]:.2f}, recall '
          f'{scores["recall"]:.2f}, mIoU {scores["mIoU"]:.2f}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('command', choices=['make-folder', 'score'])
    parser.add_argument('path')
    parser.add_argument('--pixel-list', help='make-folder: also link the '
                        'true masks of this list (relative to MSRC-17)')
    args = parser.parse_args()
    if args.command == 'make-folder':
        make_folder(args.path, args.pixel_list)
    else:
        score(args.path)


if __name__ == '__main__':
    main()
