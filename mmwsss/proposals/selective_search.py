"""Object proposals by selective search (Uijlings et al., IJCV 2013).

HCP classifies object hypotheses instead of whole images; they come from a
class-agnostic bottom-up grouping.  Selective search starts from an
over-segmentation (scikit-image's Felzenszwalb graph segmentation) and
greedily merges the two most similar neighbouring regions until one is
left; the bounding box of every region ever formed is a proposal.
Similarity adds colour (histogram intersection), texture (gradient
orientation histograms), size (small regions merge first) and fill (the
merged box should be filled by the two regions).  Diversity comes from
several colour spaces and segmentation scales; boxes are ranked by their
level in each hierarchy, jittered by a random factor (seeded per image, so
the same image always gets the same boxes), duplicates dropped.

OpenCV's implementation lives in opencv-contrib, whose wheel ships the same
``cv2`` package as the opencv-python that MMSeg installs (one would
overwrite the other), so this one is built on scikit-image.
"""
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

from mmwsss.compat import missing_extra_error

COLOUR_BINS = 25
TEXTURE_BINS = 10
ORIENTATIONS = 8


@dataclass
class _Region:
    box: np.ndarray  # x1, y1, x2, y2 (inclusive pixel bounds)
    size: int
    colour: np.ndarray
    texture: np.ndarray
    members: frozenset  # the over-segmentation's segments it is made of


def _colour_space(image_rgb: np.ndarray, space: str) -> np.ndarray:
    if space == 'rgb':
        return image_rgb
    code = dict(hsv=cv2.COLOR_RGB2HSV, lab=cv2.COLOR_RGB2LAB)[space]
    return cv2.cvtColor(image_rgb, code)


def _texture_bins(image: np.ndarray) -> np.ndarray:
    """Per pixel and channel, the bin index of ``orientation x magnitude``
    of the Gaussian derivative: ``(H, W, C)`` ints in
    ``[0, ORIENTATIONS * TEXTURE_BINS)``."""
    smooth = cv2.GaussianBlur(image.astype(np.float32), (0, 0), 1.0)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1)
    angle = (np.arctan2(gy, gx) + np.pi) / (2 * np.pi)
    orientation = np.minimum((angle * ORIENTATIONS).astype(int),
                             ORIENTATIONS - 1)
    magnitude = np.hypot(gx, gy)
    scale = magnitude.max(axis=(0, 1), keepdims=True) + 1e-6
    level = np.minimum((magnitude / scale * TEXTURE_BINS).astype(int),
                       TEXTURE_BINS - 1)
    return orientation * TEXTURE_BINS + level


def _histograms(labels: np.ndarray, values: np.ndarray, bins: int,
                count: int) -> np.ndarray:
    """L1-normalised per-region histograms of ``values`` (``(H, W, C)``
    ints in ``[0, bins)``), channels concatenated: ``(count, C * bins)``."""
    channels = values.shape[2]
    flat = labels.ravel()
    hists = np.zeros((count, channels * bins), np.float32)
    for c in range(channels):
        index = flat * (channels * bins) + c * bins + values[..., c].ravel()
        hists += np.bincount(index, minlength=count * channels *
                             bins).reshape(count, channels * bins)
    return hists / np.maximum(hists.sum(1, keepdims=True), 1)


def _initial_regions(image: np.ndarray, labels: np.ndarray
                     ) -> Dict[int, _Region]:
    count = int(labels.max()) + 1
    colour_bins = np.minimum(image.astype(int) * COLOUR_BINS // 256,
                             COLOUR_BINS - 1)
    colour = _histograms(labels, colour_bins, COLOUR_BINS, count)
    texture = _histograms(labels, _texture_bins(image),
                          ORIENTATIONS * TEXTURE_BINS, count)
    ys, xs = np.mgrid[:labels.shape[0], :labels.shape[1]]
    flat = labels.ravel()
    sizes = np.bincount(flat, minlength=count)
    boxes = np.stack([
        np.full(count, labels.shape[1]), np.full(count, labels.shape[0]),
        np.zeros(count, int), np.zeros(count, int)], 1)
    np.minimum.at(boxes[:, 0], flat, xs.ravel())
    np.minimum.at(boxes[:, 1], flat, ys.ravel())
    np.maximum.at(boxes[:, 2], flat, xs.ravel())
    np.maximum.at(boxes[:, 3], flat, ys.ravel())
    return {i: _Region(boxes[i], int(sizes[i]), colour[i], texture[i],
                       frozenset([i]))
            for i in range(count) if sizes[i] > 0}


def _neighbours(labels: np.ndarray) -> set:
    pairs = set()
    for a, b in ((labels[:, :-1], labels[:, 1:]),
                 (labels[:-1, :], labels[1:, :])):
        differ = a != b
        lo = np.minimum(a[differ], b[differ])
        hi = np.maximum(a[differ], b[differ])
        pairs.update(zip(lo.tolist(), hi.tolist()))
    return pairs


def _box_area(box: np.ndarray) -> int:
    return int((box[2] - box[0] + 1) * (box[3] - box[1] + 1))


def _similarity(a: _Region, b: _Region, image_size: int) -> float:
    colour = float(np.minimum(a.colour, b.colour).sum())
    texture = float(np.minimum(a.texture, b.texture).sum())
    size = 1.0 - (a.size + b.size) / image_size
    box = np.concatenate([np.minimum(a.box[:2], b.box[:2]),
                          np.maximum(a.box[2:], b.box[2:])])
    fill = 1.0 - (_box_area(box) - a.size - b.size) / image_size
    return colour + texture + size + fill


def _merge(a: _Region, b: _Region) -> _Region:
    size = a.size + b.size
    return _Region(
        box=np.concatenate([np.minimum(a.box[:2], b.box[:2]),
                            np.maximum(a.box[2:], b.box[2:])]),
        size=size,
        colour=(a.colour * a.size + b.colour * b.size) / size,
        texture=(a.texture * a.size + b.texture * b.size) / size,
        members=a.members | b.members)


def hierarchical_grouping(image: np.ndarray, labels: np.ndarray
                          ) -> List[Tuple[int, _Region]]:
    """``(level, region)`` of every region of the greedy merge hierarchy
    over the over-segmentation ``labels`` of ``image`` (one colour space);
    level 1 is the last merge (the whole image), larger ones earlier."""
    regions = _initial_regions(image, labels)
    image_size = labels.size
    similarities = {
        (i, j): _similarity(regions[i], regions[j], image_size)
        for i, j in _neighbours(labels) if i in regions and j in regions}
    formed = list(regions.values())
    next_id = max(regions) + 1
    while similarities:
        i, j = max(similarities, key=similarities.get)
        merged = _merge(regions.pop(i), regions.pop(j))
        touching = {k for pair in similarities if i in pair or j in pair
                    for k in pair} - {i, j}
        similarities = {pair: s for pair, s in similarities.items()
                        if i not in pair and j not in pair}
        regions[next_id] = merged
        for k in touching:
            similarities[(k, next_id)] = _similarity(regions[k], merged,
                                                     image_size)
        formed.append(merged)
        next_id += 1
    total = len(formed)
    return [(total - n, region) for n, region in enumerate(formed)]


@dataclass
class Proposals:
    """An image's proposals, best first: ``boxes`` ``(N, 4)`` float32
    ``x1, y1, x2, y2`` in pixels (``x2``/``y2`` exclusive), and their
    masks, kept compactly: ``segmentations`` ``(G, H, W)`` uint16 (one
    over-segmentation per grouping), proposal ``n`` is the union of the
    segments ``members[offsets[n]:offsets[n + 1]]`` of
    ``segmentations[grouping[n]]``."""
    boxes: np.ndarray
    grouping: np.ndarray
    offsets: np.ndarray
    members: np.ndarray
    segmentations: np.ndarray
    fallback: bool = False  # nothing found: the whole frame stands in

    def __len__(self) -> int:
        return len(self.boxes)

    def mask(self, index: int) -> np.ndarray:
        """``(H, W)`` bool mask of proposal ``index``."""
        segments = self.members[self.offsets[index]:self.offsets[index + 1]]
        return np.isin(self.segmentations[self.grouping[index]], segments)

    @classmethod
    def whole_image(cls, height: int, width: int) -> 'Proposals':
        """One proposal, the whole frame (the fallback of an image where
        nothing was found)."""
        return cls(boxes=np.array([[0, 0, width, height]], np.float32),
                   grouping=np.zeros(1, np.int64),
                   offsets=np.array([0, 1], np.int64),
                   members=np.zeros(1, np.int64),
                   segmentations=np.zeros((1, height, width), np.uint16),
                   fallback=True)


def _felzenszwalb():
    """scikit-image's Felzenszwalb segmentation, imported when first used:
    scikit-image is the "hcp" extra, and mmwsss imports without it."""
    try:
        from skimage.segmentation import felzenszwalb
    except ImportError as exc:
        raise missing_extra_error('scikit-image', 'hcp',
                                  'selective search (HCP proposals)') from exc
    return felzenszwalb


def selective_search(image_rgb: np.ndarray,
                     colour_spaces: Sequence[str] = ('hsv', 'lab'),
                     scales: Sequence[int] = (100, 300),
                     sigma: float = 0.8,
                     min_size: float = 0.002,
                     max_count: int = 200,
                     seed: int = 0) -> Proposals:
    """Proposals of one image, best first.

    Args:
        image_rgb: ``(H, W, 3)`` uint8 RGB.
        colour_spaces, scales: one grouping per (colour space, Felzenszwalb
            scale ``k``) pair, for diversity.
        sigma: Felzenszwalb's smoothing.
        min_size: regions covering less than this share of the image are
            dropped (also the over-segmentation's smallest segment).
        max_count: at most this many proposals.
        seed: seeds the random factor of the ranking.
    """
    felzenszwalb = _felzenszwalb()
    height, width = image_rgb.shape[:2]
    min_pixels = max(int(min_size * height * width), 1)
    rng = np.random.default_rng(seed)
    ranked, segmentations = [], []
    for space in colour_spaces:
        converted = _colour_space(image_rgb, space)
        for scale in scales:
            labels = felzenszwalb(converted, scale=scale, sigma=sigma,
                                  min_size=min_pixels)
            grouping = len(segmentations)
            segmentations.append(labels.astype(np.uint16))
            for level, region in hierarchical_grouping(converted, labels):
                ranked.append((level * rng.random(), grouping, region))
    ranked.sort(key=lambda item: item[0])
    kept, seen = [], set()
    for _, grouping, region in ranked:
        key = (grouping, region.members)
        if key in seen or region.size < min_pixels:
            continue
        seen.add(key)
        kept.append((grouping, region))
        if len(kept) == max_count:
            break
    if not kept:
        return Proposals.whole_image(height, width)
    members = [np.array(sorted(r.members), np.int64) for _, r in kept]
    return Proposals(
        boxes=np.array([[r.box[0], r.box[1], r.box[2] + 1, r.box[3] + 1]
                        for _, r in kept], np.float32),
        grouping=np.array([g for g, _ in kept], np.int64),
        offsets=np.cumsum([0] + [len(m) for m in members]).astype(np.int64),
        members=np.concatenate(members),
        segmentations=np.stack(segmentations))
