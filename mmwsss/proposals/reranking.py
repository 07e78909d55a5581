"""Step (HCP): multi-instance re-ranking of the confident proposals.

The classifier's confident proposals of class ``c`` include background
and parts; the object itself recurs across the images labelled ``c``.  For
a proposal ``p`` of class ``c`` in image ``i``, and every *other* image
``j`` labelled ``c``, take the shortest feature distance from ``p`` to
``j``'s confident proposals of ``c``; accumulate over the images (the mean
over all of them, the talk's sum up to a constant, or with
``nearest_images=k`` over the ``k`` closest images only); the smaller, the
better ``p`` ranks.  Features are L2-normalised (the distance ignores
feature magnitude) and compared in blocks of rows: one matrix product per
block, a scatter-min over images, no Python loop over proposal pairs.

Cost for a VOC-sized class (person: ~4,000 images x at most 50
candidates = 200,000 proposals of 512 dimensions): 4e10 distances x 512
multiply-adds ~ 20 TFLOP (minutes on a GPU, hours on 2 CPU cores: lower
the scoring stage's ``candidates``; ``nearest_images`` changes the
accumulation, not the number of distances),
memory bounded by the block (``block_rows`` x proposals floats;
512 x 200,000 x 4 B = 400 MB).

A class labelled in a single image has no other image to compare with: its
proposals keep the classifier's order (``single_image_classes`` in the
report).
"""
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch


def consistency_scores(features: torch.Tensor, image_ids: torch.Tensor,
                       nearest_images: Optional[int] = None,
                       block_rows: int = 512) -> torch.Tensor:
    """Per proposal, the mean over the other images of its shortest
    distance to that image's proposals (over the ``nearest_images``
    closest images when given): ``(N,)``, smaller is better.

    Args:
        features: ``(N, D)`` L2-normalised proposal features.
        image_ids: ``(N,)`` ints in ``[0, M)``, the image of each row;
            at least two distinct images.
    """
    num_images = int(image_ids.max()) + 1
    others = num_images - 1
    k = others if nearest_images is None else min(nearest_images, others)
    out = torch.empty(len(features), dtype=features.dtype)
    index = image_ids.view(1, -1)
    for start in range(0, len(features), block_rows):
        block = features[start:start + block_rows]
        dist = torch.cdist(block, features)  # (B, N)
        per_image = torch.full((len(block), num_images), float('inf'),
                               dtype=dist.dtype)
        per_image.scatter_reduce_(1, index.expand_as(dist), dist, 'amin')
        own = image_ids[start:start + block_rows].view(-1, 1)
        per_image.scatter_(1, own, float('inf'))
        nearest = per_image.topk(k, dim=1, largest=False).values
        out[start:start + block_rows] = nearest.mean(dim=1)
    return out


def rerank_class(candidates: Sequence[Tuple[str, np.ndarray, np.ndarray,
                                            np.ndarray]],
                 nearest_images: Optional[int] = None
                 ) -> Dict[str, np.ndarray]:
    """Re-rank one class's confident proposals.

    Args:
        candidates: per image labelled with the class, ``(stem,
            proposal indices, classifier scores, features)``.

    Returns:
        ``{stem: proposal indices, best first}``; with a single image the
        classifier's order.
    """
    if len(candidates) < 2:
        return {stem: index[np.argsort(-scores, kind='stable')]
                for stem, index, scores, _ in candidates}
    features = torch.from_numpy(np.concatenate([c[3] for c in candidates]))
    image_ids = torch.cat([torch.full((len(c[1]), ), n, dtype=torch.long)
                           for n, c in enumerate(candidates)])
    consistency = consistency_scores(features.float(), image_ids,
                                     nearest_images).numpy()
    ranked, start = {}, 0
    for stem, index, _, _ in candidates:
        own = consistency[start:start + len(index)]
        ranked[stem] = index[np.argsort(own, kind='stable')]
        start += len(index)
    return ranked


def confident_candidates(score_file: Dict[str, np.ndarray], cls: int,
                         min_score: float
                         ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An image's candidates of class ``cls`` the classifier is confident
    of (probability >= ``min_score``): their proposal indices, scores
    and features."""
    rows = score_file['feature_rows']
    scores = score_file['scores'][rows, cls - 1]
    keep = scores >= min_score
    return (score_file['index'][rows][keep], scores[keep],
            score_file['features'][keep])


ScoredImage = Tuple[str, List[int], Dict[str, np.ndarray]]


def rerank_dataset(images: Iterable[ScoredImage],
                   min_score: float = 0.5,
                   nearest_images: Optional[int] = None
                   ) -> Tuple[Dict[str, Dict[int, np.ndarray]], dict]:
    """Re-rank every class over the dataset.

    Args:
        images: ``(stem, labels, score file)`` of every image (read one at
            a time: only the confident candidates are kept in memory).

    Returns ``({stem: {class: proposal indices, best first}}, report)``;
    a labelled class without a confident proposal in an image is absent
    from that image's dict (counted in ``report['missing']``).
    """
    per_class: Dict[int, list] = {}
    ranking: Dict[str, Dict[int, np.ndarray]] = {}
    report = dict(missing=0, single_image_classes=[])
    for stem, labels, score_file in images:
        ranking[stem] = {}
        for cls in labels:
            index, scores, feats = confident_candidates(score_file, cls,
                                                        min_score)
            if len(index):
                per_class.setdefault(cls, []).append(
                    (stem, index, scores, feats))
            else:
                report['missing'] += 1
    for cls, candidates in sorted(per_class.items()):
        if len(candidates) == 1:
            report['single_image_classes'].append(cls)
        for stem, order in rerank_class(candidates, nearest_images).items():
            ranking[stem][cls] = order
    return ranking, report
