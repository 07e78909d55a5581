"""Step (HCP): soft localization maps, voted by the re-ranked proposals.

For every labelled class of an image, its ``vote_top`` best re-ranked
proposals vote with their masks (the selective-search regions, not just
their boxes): ``V_c(x)`` is the share of them covering pixel ``x``.  Per
pixel the target is a distribution over background and the labelled
classes: ``p_c = V_c / max(1, sum V)``, background the rest, so a pixel
every top proposal of "dog" covers is dog, one half of them cover is dog
and background with 0.5 each (the talk's soft supervision).  A labelled
class with no confident proposal cannot be placed: the pixels no other
class claims are ignored (it may be anywhere there), counted in the tally.
Images without labels are background.

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


def vote_map(proposals, ranking: Dict[int, np.ndarray], labels,
             shape, vote_top: int = 5):
    """``(class_ids, probs, ignore)`` of one image (see module doc)."""
    labels = sorted(int(c) for c in labels)
    placed = [c for c in labels if c in ranking and len(ranking[c])]
    votes = []
    for cls in placed:
        masks = [proposals.mask(int(i)) if i >= 0 else np.ones(shape, bool)
                 for i in ranking[cls][:vote_top]]
        votes.append(np.mean(masks, axis=0, dtype=np.float32))
    votes = np.stack(votes) if votes else np.zeros((0, ) + shape, np.float32)
    objects = votes / np.maximum(votes.sum(0, keepdims=True), 1.0)
    background = 1.0 - objects.sum(0, keepdims=True)
    probs = np.concatenate([background, objects])
    ignore = np.zeros(shape, bool)
    if len(placed) < len(labels):
        ignore = votes.sum(0) == 0 if len(placed) else np.ones(shape, bool)
    return np.array([0] + placed, np.int64), probs, ignore


def make_localization_maps(dataset, score_dir: str, proposal_dir: str,
                           out_dir: str, min_score: float = 0.5,
                           nearest_images: Optional[int] = None,
                           vote_top: int = 5, proposal_settings=None,
                           show_progress: bool = True) -> Dict[str, int]:
    """Re-rank over the whole dataset, then write this rank's maps and
    masks into ``out_dir/maps`` and ``out_dir/masks``.

    Returns the shard's tally: ``missing`` (labelled classes with no
    confident proposal, over the dataset), ``ignored_images`` (this
    shard's images with ignored pixels), ``single_image_classes``, and
    ``rerank_seconds`` (reading the score files and re-ranking).
    """
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
        class_ids, probs, ignore = vote_map(proposals, ranking[stem],
                                            info['img_labels'], shape,
                                            vote_top)
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
