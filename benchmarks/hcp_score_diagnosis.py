"""Benchmark (evaluation only: reads the training ground truth): why the
HCP localization maps miss the objects.

For every labelled class of every training image, from the pipeline's
proposal files and the classifier's proposal scores (its
``proposals/proposals`` and ``proposal_scores/scores`` folders):

* the classifier's best proposal of the class: its share of the image
  and its IoU with the class's ground-truth region;
* the class score of proposals lying inside the region (> 90 % of their
  pixels) and outside it (< 10 %), for small (< 2 % of the image) and
  larger proposals: do the scores tell object from background at all?
* the union of the confident proposals (score >= 0.5): IoU, precision
  and recall with the region; and the same union without the confident
  proposals that lie mostly outside the region (an oracle: what a perfect
  re-ranking that only removes false positives could reach);
* does the multi-instance re-ranking order them by objectness?  The
  share of confident proposals lying mostly (> 50 %) inside the region
  in the better and in the worse half of each class's re-ranking, and of
  the classifier's own order for comparison.

    python benchmarks/hcp_score_diagnosis.py CONFIG WORK_DIR
    # CONFIG: the classifier config (configs/hcp/hcp-classifier_*.py);
    # WORK_DIR: the HCP pipeline's work dir
"""
import argparse
import os.path as osp

import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401
from mmwsss.apis import prepare_config
from mmwsss.proposals import load_proposals
from mmwsss.proposals.reranking import rerank_dataset
from mmwsss.proposals.scoring import load_scores
from mmwsss.registry import DATASETS
from mmwsss.utils.io import image_stem, read_mask

SMALL = 0.02  # share of the image below which a proposal counts as small


def overlap_stats(union: np.ndarray, region: np.ndarray):
    """``(IoU, precision, recall)`` of a predicted region."""
    hit = np.logical_and(union, region).sum()
    return (hit / max(np.logical_or(union, region).sum(), 1),
            hit / max(union.sum(), 1), hit / max(region.sum(), 1))


def diagnose_class(masks: np.ndarray, scores: np.ndarray,
                   region: np.ndarray, out: dict) -> None:
    """Add one (image, class)'s numbers to ``out`` (lists by name)."""
    areas = masks.mean((1, 2))
    inside = np.logical_and(masks, region).sum((1, 2)) / np.maximum(
        masks.sum((1, 2)), 1)
    best = int(np.argmax(scores))
    out['best_area'].append(areas[best])
    out['best_iou'].append(overlap_stats(masks[best], region)[0])
    for size, keep in (('small', areas < SMALL), ('larger', areas >= SMALL)):
        out[f'{size}_inside'] += scores[keep & (inside > 0.9)].tolist()
        out[f'{size}_outside'] += scores[keep & (inside < 0.1)].tolist()
    confident = scores >= 0.5
    for name, keep in (('union', confident),
                       ('oracle_union', confident & (inside > 0.5))):
        out[name].append(overlap_stats(masks[keep].any(0), region))


def halves_inside(order: np.ndarray, inside: dict, out: dict,
                  name: str) -> None:
    """Add whether each proposal of ``order`` (best first) lies mostly
    inside the region to ``out[name + '_better' | '_worse']``."""
    half = max(1, len(order) // 2)
    for rank, index in enumerate(order):
        side = 'better' if rank < half else 'worse'
        out[f'{name}_{side}'].append(inside[int(index)] > 0.5)


def ranking_check(dataset, work_dir: str) -> dict:
    """The halves of the re-ranking and of the classifier's order."""
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    stems = [image_stem(info) for info in infos]
    score_dir = osp.join(work_dir, 'proposal_scores', 'scores')
    scored = {stem: load_scores(osp.join(score_dir, stem + '.npz'))
              for stem in stems}
    ranking, _ = rerank_dataset(
        (stem, info['img_labels'], scored[stem])
        for stem, info in zip(stems, infos))
    out = {f'{name}_{side}': [] for name in ('reranking', 'classifier')
           for side in ('better', 'worse')}
    for info, stem in zip(infos, stems):
        gt = read_mask(info['seg_map_path'])
        proposals = load_proposals(
            osp.join(work_dir, 'proposals', 'proposals', stem + '.npz'))
        rows = {int(i): r for r, i in enumerate(scored[stem]['index'])}
        for cls, order in ranking[stem].items():
            inside = {int(i): (gt[proposals.mask(int(i))] == cls).mean()
                      for i in order}
            halves_inside(order, inside, out, 'reranking')
            scores = scored[stem]['scores'][[rows[int(i)] for i in order],
                                            cls - 1]
            halves_inside(order[np.argsort(-scores, kind='stable')], inside,
                          out, 'classifier')
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('work_dir')
    args = parser.parse_args()
    cfg = prepare_config(Config.fromfile(args.config), args.config)
    cfg.cam_dataloader.dataset.proposal_path = None
    init_default_scope('mmseg')
    dataset = DATASETS.build(cfg.cam_dataloader.dataset)
    names = ('best_area', 'best_iou', 'small_inside', 'small_outside',
             'larger_inside', 'larger_outside', 'union', 'oracle_union')
    out = {name: [] for name in names}
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        stem = image_stem(info)
        gt = read_mask(info['seg_map_path'])
        proposals = load_proposals(
            osp.join(args.work_dir, 'proposals', 'proposals', stem + '.npz'))
        scored = load_scores(osp.join(args.work_dir, 'proposal_scores',
                                      'scores', stem + '.npz'))
        real = np.flatnonzero(scored['index'] >= 0)
        masks = np.stack([proposals.mask(int(i))
                          for i in scored['index'][real]])
        for cls in info['img_labels']:
            diagnose_class(masks, scored['scores'][real, cls - 1], gt == cls,
                           out)
    print(f'{len(out["best_iou"])} labelled (image, class) regions of '
          f'{len(dataset)} images')
    area = 100 * np.median(out['best_area'])
    print(f'best-scored proposal: median {area:.1f} % of the image, IoU '
          f'with the class region median '
          f'{100 * np.median(out["best_iou"]):.1f}, mean '
          f'{100 * np.mean(out["best_iou"]):.1f}')
    print('| proposals | n | median score | share >= 0.5 |')
    print('|---|---|---|---|')
    for name in names[2:6]:
        values = np.array(out[name])
        print(f'| {name.replace("_", " ")} | {len(values)} | '
              f'{np.median(values):.3f} | {(values >= 0.5).mean():.3f} |')
    print('| union of confident proposals | IoU | precision | recall |')
    print('|---|---|---|---|')
    for name in names[6:]:
        iou, precision, recall = 100 * np.array(out[name]).mean(0)
        print(f'| {name.replace("_", " ")} | {iou:.1f} | {precision:.1f} | '
              f'{recall:.1f} |')
    halves = ranking_check(dataset, args.work_dir)
    print('| order of the confident proposals | better half mostly inside '
          '| worse half mostly inside |')
    print('|---|---|---|')
    for name in ('reranking', 'classifier'):
        better, worse = (100 * np.mean(halves[f'{name}_{side}'])
                         for side in ('better', 'worse'))
        print(f'| {name} | {better:.1f} % | {worse:.1f} % |')


if __name__ == '__main__':
    main()
