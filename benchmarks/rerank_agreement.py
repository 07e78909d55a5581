"""Re-ranking against reference images (issue 27) against every image with
every other (before): how far the orders agree on real photos.

MSRC-17's training images get selective-search proposals (the HCP
config's settings) and their features from the HCP classifier of
``configs/hcp/hcp-classifier_mbv2-d16_1xb16-12e_msrc17-long320.py`` with its
ImageNet MobileNetV2 and an untrained head (no HCP work dir is kept; the
features the re-ranking compares are the backbone's RoI features, the head only
picks which 50 proposals per class are candidates, and every candidate
counts as confident here, ``--min-score 0``).  Then every class is
re-ranked both ways and each (image, class) order compared: identical,
the same best proposal, Kendall's tau.  MSRC-17's classes are small (at
most 32 images), so ``--pooled`` also re-ranks all images as one class
(each image's candidates of its first tag): a class of 283 images, to see
the default of 64 references against a class several times its size.

    python benchmarks/rerank_agreement.py --references 64 16 8 \
        --pooled 256 128 64 32

Proposals and scores are kept in ``--work`` (a rerun reuses them).
"""
import argparse
import os.path as osp
import time

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from scipy.stats import kendalltau

import mmwsss  # noqa: F401
from mmwsss.apis import prepare_config
from mmwsss.proposals import make_proposals, score_proposals
from mmwsss.proposals.reranking import rerank_dataset
from mmwsss.proposals.scoring import load_scores
from mmwsss.registry import DATASETS, MODELS
from mmwsss.utils.io import atomic_write, image_stem

CONFIG = 'configs/hcp/hcp-classifier_mbv2-d16_1xb16-12e_msrc17-long320.py'


def subset(cfg, args) -> str:
    """A split file of the first ``--images`` training images."""
    split = osp.join(args.data, cfg.cam_dataloader.dataset.ann_file)
    ids = open(split).read().split()[:args.images]
    path = osp.abspath(osp.join(args.work, f'train_{len(ids)}.txt'))
    with atomic_write(path, 'w') as handle:
        handle.write('\n'.join(ids) + '\n')
    return path


def build(args):
    cfg = prepare_config(Config.fromfile(CONFIG), CONFIG)
    init_default_scope('mmseg')
    dataset = dict(cfg.cam_dataloader.dataset, data_root=args.data,
                   ann_file=subset(cfg, args),
                   proposal_path=osp.abspath(osp.join(args.work,
                                                      'proposals')))
    plain = dict(dataset, pipeline=[dict(type='LoadCheckedImageFromFile')])
    plain.pop('proposal_path')
    return cfg, plain, dataset


def features(args) -> list:
    """``(stem, labels, score file)`` of the images, proposals and scores
    made once."""
    cfg, plain, dataset = build(args)
    start = time.perf_counter()
    make_proposals(DATASETS.build(plain), osp.join(args.work, 'proposals'),
                   cfg.get('proposals'), num_workers='auto',
                   show_progress=False)
    data = DATASETS.build(dataset)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()  # ImageNet backbone, random head
    score_proposals(model.eval(), data, osp.join(args.work, 'scores'),
                    batch_size=8, show_progress=False)
    print(f'proposals and scores: {time.perf_counter() - start:.0f} s')
    infos = [data.get_data_info(i) for i in range(len(data))]
    return [(image_stem(i), i['img_labels'], load_scores(
        osp.join(args.work, 'scores', image_stem(i) + '.npz')))
        for i in infos]


def pooled(images: list) -> list:
    """Every tagged image as one class (class 1), with the candidates and
    scores of its first tag."""
    out = []
    for stem, labels, score_file in images:
        if labels:
            scores = score_file['scores'][:, [labels[0] - 1]]
            out.append((stem, [1], dict(score_file, scores=scores)))
    return out


def agreement(images: list, min_score: float, references) -> None:
    classes = {c for _, labels, _ in images for c in labels}
    exact, _ = rerank_dataset(iter(images), min_score, reference_images=None)
    for refs in references:
        ranked, report = rerank_dataset(iter(images), min_score,
                                        reference_images=refs)
        result = compare(exact, ranked)
        print(f'R={refs}: {len(report["sampled_classes"])} of {len(classes)} '
              f'classes sampled; of {result["lists"]} (image, class) orders '
              f'{100 * result["identical"]:.1f}% identical, '
              f'{100 * result["same_first"]:.1f}% with the same best '
              f'proposal, mean Kendall tau {result["tau"]:.3f}')


def compare(exact: dict, other: dict) -> dict:
    """Per (image, class) order: identical, same first, Kendall's tau."""
    same = first = 0
    taus = []
    for stem, classes in exact.items():
        for cls, order in classes.items():
            mine = other[stem][cls]
            same += int(np.array_equal(order, mine))
            first += int(order[0] == mine[0])
            if len(order) > 1:
                rank = {int(p): r for r, p in enumerate(mine)}
                taus.append(kendalltau(np.arange(len(order)),
                                       [rank[int(p)] for p in order])[0])
    lists = sum(len(c) for c in exact.values())
    return dict(lists=lists, identical=same / lists, same_first=first / lists,
                tau=float(np.mean(taus)) if taus else 1.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data', default='../shared/data/msrc17')
    parser.add_argument('--work', default='work_dirs/rerank_msrc17')
    parser.add_argument('--images', type=int, default=295)
    parser.add_argument('--min-score', type=float, default=0.0)
    parser.add_argument('--references', type=int, nargs='+',
                        default=[64, 16, 8])
    parser.add_argument('--pooled', type=int, nargs='*',
                        help='references to try on all images as one class')
    args = parser.parse_args()
    images = features(args)
    sizes = {}
    for _, labels, _ in images:
        for cls in labels:
            sizes[cls] = sizes.get(cls, 0) + 1
    print(f'{len(images)} images; images per class: min {min(sizes.values())}'
          f', median {int(np.median(list(sizes.values())))}, max '
          f'{max(sizes.values())}')
    agreement(images, args.min_score, args.references)
    if args.pooled:
        print('all tagged images as one class:')
        agreement(pooled(images), args.min_score, args.pooled)


if __name__ == '__main__':
    main()
