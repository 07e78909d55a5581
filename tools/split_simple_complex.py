"""STC's split of the training images into simple and complex ones.

Writes ``<out-dir>/simple.txt`` and ``complex.txt`` (image ids, one a line,
ready for a dataset's ``ann_file``) and ``simple_sheet.png`` (the chosen
simple images beside their saliency, to check the choice by eye), for the
images of the config's ``cam_dataloader`` dataset.

By default the rules of :mod:`mmwsss.pseudo_labels.simple_images` choose
(one labelled class, a compact, clean salient object); ``--rules`` changes
single thresholds, ``--simple-list FILE`` takes an explicit list instead.
The rules read saliency maps from ``--saliency-dir``: maps missing there
are made first with the config's ``saliency`` backend (finished ones are
kept, so an interrupted run continues).

    python tools/split_simple_complex.py \\
        configs/stc/stc-dcnn_mbv2-d32_1xb16-20e_msrc17-224x320.py \\
        --out-dir work_dirs/split
"""
import argparse
import os.path as osp

from mmengine.config import DictAction

import mmwsss  # noqa: F401
from mmwsss.pseudo_labels import (SIMPLE_RULES, make_saliency_maps,
                                  split_by_list, split_simple_complex,
                                  write_split)
from mmwsss.saliency import build_saliency
from mmwsss.utils.io import image_stem
from mmwsss.visualization import write_simple_sheet
from tool_setup import add_common_args, build_cam_dataset, setup_tool


def parse_args():
    parser = argparse.ArgumentParser(
        description='Split training images into simple and complex (STC)')
    parser.add_argument('config')
    parser.add_argument('--out-dir', help='default: <work_dir>/split')
    parser.add_argument('--saliency-dir',
                        help='saliency maps, made here when missing '
                        '(default: <out-dir>/saliency)')
    parser.add_argument('--simple-list',
                        help='take the simple images from this id list')
    parser.add_argument('--rules', nargs='+', action=DictAction, default={},
                        help=f'override thresholds of {SIMPLE_RULES}')
    parser.add_argument('--sheet-images', type=int, default=24)
    add_common_args(parser, distributed=False)
    return parser.parse_args()


def make_missing_maps(cfg, dataset, saliency_dir: str, config: str) -> None:
    """Saliency maps of the images that have none in ``saliency_dir``,
    with the config's backend (not even built when none is missing)."""
    missing = [i for i in range(len(dataset)) if not osp.isfile(osp.join(
        saliency_dir, image_stem(dataset.get_data_info(i)) + '.png'))]
    if not missing:
        return
    if not cfg.get('saliency'):
        raise SystemExit(f'{len(missing)} images have no map in '
                         f'{saliency_dir} and {config} has no saliency '
                         'backend (saliency=dict(type=...)) to make them')
    make_saliency_maps(build_saliency(dict(cfg.saliency)), dataset,
                       saliency_dir)


def main():
    args = parse_args()
    cfg, work_dir, _ = setup_tool(args)
    out_dir = args.out_dir or osp.join(work_dir, 'split')
    dataset = build_cam_dataset(cfg)
    saliency_dir = None
    if args.simple_list:
        split = split_by_list(dataset, args.simple_list)
    else:
        unknown = sorted(set(args.rules) - set(SIMPLE_RULES))
        if unknown:
            raise SystemExit(f'unknown rules {unknown}; known: '
                             f'{sorted(SIMPLE_RULES)}')
        saliency_dir = args.saliency_dir or osp.join(out_dir, 'saliency')
        make_missing_maps(cfg, dataset, saliency_dir, args.config)
        split = split_simple_complex(dataset, saliency_dir, args.rules)
    paths = write_split(split, out_dir)
    paths['sheet'] = write_simple_sheet(out_dir, dataset, split['simple'],
                                        saliency_dir, args.sheet_images)
    print(f'{len(split["simple"])} simple and {len(split["complex"])} '
          f'complex images of {len(dataset)}: {paths["simple"]}, '
          f'{paths["complex"]}, {paths["sheet"]}')
    if split.get('failures'):
        print(f'images failing each rule: {dict(split["failures"])}')
    if split.get('empty_saliency'):
        print(f'{len(split["empty_saliency"])} images with an empty saliency '
              f'map left to the complex set, e.g. '
              f'{split["empty_saliency"][:5]}')


if __name__ == '__main__':
    main()
