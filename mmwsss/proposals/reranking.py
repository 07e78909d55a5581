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

**Reference images.**  Compared with every other image, a class of ``M``
images costs ``(M x C)^2`` distances (``C`` candidates per image): VOC's
person (~4,000 images x 50 candidates) 4e10 distances, ~20 TFLOP at 512
dimensions, hours on 2 CPU cores, and every candidate's features held in
memory (1.6 GB for VOC, 24 GB for COCO).  So each class is compared with
a fixed sample of its images: the first ``reference_images`` (default
:data:`REFERENCE_IMAGES`) images labelled with it, in dataset order (the
same on every rank and in every run).  They are re-ranked among
themselves exactly as before; every later image of the class against
them (the mean over ``R`` reference images instead of over ``M - 1``
images: an estimate of the same mean from a sample).  The images are
read once, in order, and only the references' features are kept: time
``M x C x R x C`` per class (linear in the dataset), memory ``R x C x D``
floats per class (6.5 MB at R=64, C=50, D=512), whatever the dataset's
size.  **A class with at most ``R`` images is re-ranked exactly as
before** (all of them are references); on MSRC-17 (at most 32 images a
class) the order is the same, and with fewer references than images the
agreement is measured in docs/benchmarks.md ("Cost at scale").
``reference_images=None`` compares every image with every other
(quadratic; the definition, for small datasets and checks).

A class labelled in a single image has no other image to compare with: its
proposals keep the classifier's order (``single_image_classes`` in the
report).
"""
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch

#: reference images per class (module docstring)
REFERENCE_IMAGES = 64
Candidate = Tuple[str, np.ndarray, np.ndarray, np.ndarray]


def _nearest_image_means(dist: torch.Tensor, image_ids: torch.Tensor,
                         num_images: int, k: int,
                         own: Optional[torch.Tensor] = None
                         ) -> torch.Tensor:
    """Per row of ``dist`` ``(B, N)``: the shortest distance to each image
    (``image_ids`` of the columns), the row's ``own`` image left out, and
    the mean of the ``k`` smallest."""
    per_image = torch.full((len(dist), num_images), float('inf'),
                           dtype=dist.dtype)
    per_image.scatter_reduce_(1, image_ids.view(1, -1).expand_as(dist), dist,
                              'amin')
    if own is not None:
        per_image.scatter_(1, own.view(-1, 1), float('inf'))
    return per_image.topk(k, dim=1, largest=False).values.mean(dim=1)


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
    for start in range(0, len(features), block_rows):
        rows = slice(start, start + block_rows)
        out[rows] = _nearest_image_means(
            torch.cdist(features[rows], features), image_ids, num_images, k,
            own=image_ids[rows])
    return out


def reference_scores(queries: torch.Tensor, references: torch.Tensor,
                     reference_ids: torch.Tensor,
                     nearest_images: Optional[int] = None,
                     block_rows: int = 512) -> torch.Tensor:
    """:func:`consistency_scores` of proposals of an image that is not a
    reference: per row of ``queries``, the mean over the reference images
    of its shortest distance to that image's proposals (over the
    ``nearest_images`` closest when given).

    Args:
        queries: ``(Q, D)`` L2-normalised features.
        references: ``(N, D)`` the reference images' features.
        reference_ids: ``(N,)`` ints in ``[0, R)``, the reference image of
            each row.
    """
    num_images = int(reference_ids.max()) + 1
    k = num_images if nearest_images is None else min(nearest_images,
                                                      num_images)
    out = torch.empty(len(queries), dtype=queries.dtype)
    for start in range(0, len(queries), block_rows):
        rows = slice(start, start + block_rows)
        out[rows] = _nearest_image_means(
            torch.cdist(queries[rows], references), reference_ids,
            num_images, k)
    return out


def rerank_class(candidates: Sequence[Candidate],
                 nearest_images: Optional[int] = None
                 ) -> Dict[str, np.ndarray]:
    """Re-rank one class's confident proposals, every image against every
    other (the definition; quadratic in the number of proposals).

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
    consistency = consistency_scores(features.float(), _image_ids(candidates),
                                     nearest_images).numpy()
    ranked, start = {}, 0
    for stem, index, _, _ in candidates:
        own = consistency[start:start + len(index)]
        ranked[stem] = index[np.argsort(own, kind='stable')]
        start += len(index)
    return ranked


def _image_ids(candidates: Sequence[Candidate]) -> torch.Tensor:
    return torch.cat([torch.full((len(c[1]), ), n, dtype=torch.long)
                      for n, c in enumerate(candidates)])


class ClassReranker:
    """One class's re-ranking over the images labelled with it, fed one
    at a time in dataset order (module docstring): the first
    ``reference_images`` wait until they are all there, are re-ranked
    among themselves and kept as references; every later image is ranked
    against them at once and forgotten.  ``None``: every image waits and
    :meth:`finish` compares each with every other."""

    def __init__(self, reference_images: Optional[int] = REFERENCE_IMAGES,
                 nearest_images: Optional[int] = None) -> None:
        if reference_images is not None and reference_images < 2:
            raise ValueError('reference_images must be at least 2 (or None '
                             f'for every image), got {reference_images}')
        self.limit, self.nearest_images = reference_images, nearest_images
        self.pending: List[Candidate] = []
        self.references: Optional[Tuple[torch.Tensor, torch.Tensor]] = None
        self.images = 0

    def add(self, candidate: Candidate) -> Dict[str, np.ndarray]:
        """Take one image's candidates; returns the rankings that are
        final now (``{stem: proposal indices, best first}``)."""
        self.images += 1
        if self.references is None:
            self.pending.append(candidate)
            if self.limit is None or len(self.pending) < self.limit:
                return {}
            return self._settle()
        stem, index, _, feats = candidate
        own = reference_scores(torch.from_numpy(feats).float(),
                               *self.references, self.nearest_images)
        return {stem: index[np.argsort(own.numpy(), kind='stable')]}

    def finish(self) -> Dict[str, np.ndarray]:
        """The rankings still waiting (a class with fewer images than
        references: all of them, compared with each other)."""
        return self._settle() if self.references is None else {}

    def _settle(self) -> Dict[str, np.ndarray]:
        ranked = rerank_class(self.pending, self.nearest_images)
        if len(self.pending) > 1:
            self.references = (
                torch.from_numpy(np.concatenate(
                    [c[3] for c in self.pending])).float(),
                _image_ids(self.pending))
        self.pending = []
        return ranked

    @property
    def sampled(self) -> bool:
        """Whether images were ranked against a sample of the class."""
        return self.limit is not None and self.images > self.limit


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
                   nearest_images: Optional[int] = None,
                   reference_images: Optional[int] = REFERENCE_IMAGES
                   ) -> Tuple[Dict[str, Dict[int, np.ndarray]], dict]:
    """Re-rank every class over the dataset.

    Args:
        images: ``(stem, labels, score file)`` of every image, in dataset
            order (read one at a time: only the reference images'
            confident candidates are kept in memory).
        reference_images: images per class the others are compared with
            (module docstring); ``None`` compares every pair.

    Returns ``({stem: {class: proposal indices, best first}}, report)``;
    a labelled class without a confident proposal in an image is absent
    from that image's dict (counted in ``report['missing']``);
    ``sampled_classes`` lists the classes with more images than
    references.
    """
    rerankers: Dict[int, ClassReranker] = {}
    ranking: Dict[str, Dict[int, np.ndarray]] = {}
    missing = 0
    for stem, labels, score_file in images:
        ranking[stem] = {}
        for cls in labels:
            index, scores, feats = confident_candidates(score_file, cls,
                                                        min_score)
            if not len(index):
                missing += 1
                continue
            reranker = rerankers.setdefault(
                cls, ClassReranker(reference_images, nearest_images))
            _store(ranking, cls,
                   reranker.add((stem, index, scores, feats)))
    for cls, reranker in rerankers.items():
        _store(ranking, cls, reranker.finish())
    report = dict(
        missing=missing,
        single_image_classes=sorted(c for c, r in rerankers.items()
                                    if r.images == 1),
        sampled_classes=sorted(c for c, r in rerankers.items()
                               if r.sampled))
    return ranking, report


def _store(ranking: Dict[str, Dict[int, np.ndarray]], cls: int,
           ranked: Dict[str, np.ndarray]) -> None:
    for stem, order in ranked.items():
        ranking[stem][cls] = order
