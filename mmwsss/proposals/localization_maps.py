"""Step (HCP): soft localization maps, voted by the re-ranked proposals.

Every confident proposal of a labelled class (classifier probability >=
``min_score``, re-ranked across the images of the class,
:mod:`.reranking`) votes with its mask (the selective-search region, not
just its box).  A pixel takes the weight of the strongest proposal
covering it, ``V_c(x)``: the union of the voters, graded.  Per pixel the
target is a distribution over background and the labelled classes:
``p_c = V_c / max(1, sum V)``, background the rest: a pixel "dog" with
0.9 and background with 0.1, the talk's soft supervision.

The grade (``vote``):

* ``'score'`` (default, every dataset): the classifier's probability of
  the class for that proposal.  The whole union counts as the class (every
  voter has p >= 0.5); where the classifier is less sure, so is the
  target.
* ``'rank'``: the place in the re-ranking, ``1 - k / n`` for the ``k``-th
  of ``n`` (the best 1): only the better-ranked half of the union is the
  class.  Measured on MSRC-17 (docs/benchmarks.md, evaluation only), the
  re-ranking does not tell object from background proposals: of the
  re-ranked confident proposals, 69.8 % of the better half and 70.0 % of
  the worse half lie mostly inside their class's region.  The talk names
  the cause: background that recurs with a class (grass with cows) is as
  consistent across its images as the object.  So grading by rank drops
  half of the union at random: argmax maps 37.8 on train, 40.9 with the
  union kept.

Why a union and not a majority of the top few: the max-over-proposals
classifier scores object *parts* highest (on MSRC-17 the best proposal of
a class covers a median 0.4 % of the image; benchmarks/
hcp_score_diagnosis.py), and selective-search regions are parts more
often than objects, so the top proposals agree only on a part, while
their union rebuilds the object.  ``vote_top`` keeps only the best
``vote_top`` of the re-ranking as voters.

A labelled class with no confident proposal cannot be placed: the pixels
no other class claims are ignored (it may be anywhere there), counted in
the tally.  Images without labels are background.

Written per image: ``maps/<stem>.npz`` (:func:`mmwsss.utils.io.save_soft_map`)
for training, ``masks/<stem>.png`` (argmax, ignored pixels 255) for
evaluation only.
"""
import os
import os.path as osp
import time
from typing import Dict, Optional

import numpy as np

from mmwsss.utils.io import (IGNORE_INDEX, image_size, image_stem,
                             save_soft_map, write_label_png)
from mmwsss.utils.per_image import ImageShard
from .proposal_files import load_proposals
from .reranking import rerank_dataset
from .scoring import load_scores

VOTES = ('score', 'rank')


def rank_weights(count: int) -> np.ndarray:
    """``1 - k / count`` for ranks ``k = 0 .. count - 1``: the best
    proposal weighs 1, the last ``1 / count``."""
    return 1.0 - np.arange(count, dtype=np.float32) / max(count, 1)


def ranked_union(proposals, ranked: np.ndarray, shape,
                 weights: Optional[np.ndarray] = None) -> np.ndarray:
    """``V_c``: per pixel the largest weight of the proposals covering
    it (0 where none does); ``weights`` default to the rank weights;
    index -1 is the whole frame."""
    if weights is None:
        weights = rank_weights(len(ranked))
    votes = np.zeros(shape, np.float32)
    for index, weight in zip(ranked, weights):
        mask = (proposals.mask(int(index)) if index >= 0 else
                np.ones(shape, bool))
        np.maximum(votes, np.where(mask, weight, 0.0), out=votes)
    return votes


def vote_map(proposals, ranking: Dict[int, np.ndarray], labels,
             shape, vote_top: Optional[int] = None,
             weights: Optional[Dict[int, np.ndarray]] = None):
    """``(class_ids, probs, ignore)`` of one image (see module doc);
    ``vote_top`` limits the voters to the best ``vote_top`` of each
    class (default: every confident proposal); ``weights`` per class,
    aligned with ``ranking`` (default: rank weights)."""
    labels = sorted(int(c) for c in labels)
    placed = [c for c in labels if c in ranking and len(ranking[c])]
    weights = weights or {}
    votes = [ranked_union(proposals, ranking[c][:vote_top], shape,
                          _first(weights.get(c), vote_top))
             for c in placed]
    votes = np.stack(votes) if votes else np.zeros((0, ) + shape, np.float32)
    objects = votes / np.maximum(votes.sum(0, keepdims=True), 1.0)
    # where the classes share the whole pixel, 1 - sum can round below 0
    background = np.maximum(1.0 - objects.sum(0, keepdims=True), 0.0)
    probs = np.concatenate([background, objects])
    ignore = np.zeros(shape, bool)
    if len(placed) < len(labels):
        ignore = votes.sum(0) == 0 if len(placed) else np.ones(shape, bool)
    return np.array([0] + placed, np.int64), probs, ignore


def _first(values: Optional[np.ndarray], count: Optional[int]):
    return None if values is None else values[:count]


def proposal_class_scores(score_file: Dict[str, np.ndarray],
                          ranking: Dict[int, np.ndarray]
                          ) -> Dict[int, np.ndarray]:
    """The classifier's probability of each class for its ranked
    proposals (``{class: scores}`` aligned with ``ranking``)."""
    row_of = {int(index): row for row, index in
              enumerate(score_file['index'])}
    return {cls: score_file['scores'][[row_of[int(i)] for i in order],
                                      cls - 1]
            for cls, order in ranking.items()}


def make_localization_maps(dataset, score_dir: str, proposal_dir: str,
                           out_dir: str, min_score: float = 0.5,
                           nearest_images: Optional[int] = None,
                           vote_top: Optional[int] = None,
                           vote: str = 'score',
                           proposal_settings=None,
                           show_progress: bool = True) -> Dict[str, int]:
    """Re-rank over the whole dataset, then write this rank's maps and
    masks into ``out_dir/maps`` and ``out_dir/masks``.

    ``vote``: how a voter's mask is graded, ``'score'`` or ``'rank'``
    (module docstring).  Returns the shard's tally: ``missing``
    (labelled classes with no confident proposal, over the dataset),
    ``ignored_images`` (this shard's images with ignored pixels),
    ``single_image_classes``, and ``rerank_seconds`` (reading the score
    files and re-ranking).
    """
    if vote not in VOTES:
        raise ValueError(f'vote must be one of {VOTES}, got {vote!r}')
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    stems = [image_stem(info) for info in infos]
    start = time.perf_counter()
    ranking, report = rerank_dataset(
        ((stem, info['img_labels'],
          load_scores(osp.join(score_dir, stem + '.npz')))
         for stem, info in zip(stems, infos)), min_score, nearest_images)
    rerank_seconds = time.perf_counter() - start
    palette = dataset.metainfo['palette']
    maps = ImageShard(dataset, osp.join(out_dir, 'maps'), '.npz',
                      show_progress=show_progress)
    os.makedirs(osp.join(out_dir, 'masks'), exist_ok=True)
    for index in maps.todo:
        info, stem = infos[index], stems[index]
        proposals = load_proposals(osp.join(proposal_dir, stem + '.npz'),
                                   proposal_settings)
        shape = image_size(info['img_path'])
        if proposals.segmentations.shape[1:] != shape:
            raise ValueError(f'{proposal_dir}/{stem}.npz: proposals of size '
                             f'{proposals.segmentations.shape[1:]}, image '
                             f'{info["img_path"]} is {shape}')
        weights = (proposal_class_scores(
            load_scores(osp.join(score_dir, stem + '.npz')), ranking[stem])
            if vote == 'score' else None)
        class_ids, probs, ignore = vote_map(proposals, ranking[stem],
                                            info['img_labels'], shape,
                                            vote_top, weights)
        maps.count('ignored_images', int(ignore.any()))
        mask = class_ids[probs.argmax(0)].astype(np.uint8)
        mask[ignore] = IGNORE_INDEX
        write_label_png(osp.join(out_dir, 'masks', stem + '.png'), mask,
                        palette)
        save_soft_map(maps.out_path(index), class_ids, probs, ignore)
        maps.advance()
    tally = maps.tally()
    tally.update(missing=report['missing'],
                 single_image_classes=report['single_image_classes'],
                 rerank_seconds=round(rerank_seconds, 2))
    return tally
