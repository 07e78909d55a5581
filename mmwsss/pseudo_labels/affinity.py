"""Step: pseudo masks completed by a random walk on learnt affinities.

A trained :class:`~mmwsss.models.segmentors.affinity_net.AffinityNet`
gives, for each image, the affinity of every cell of its 1/8 grid with the
cells within ``radius``.  The labels of a pseudo mask then spread along
those affinities (PSA, Ahn & Kwak 2018; IRN, Ahn et al. 2019):

1. *seeds*: per cell, the share of its pixels the mask gives to
   background and to each of the image's tagged classes (ignored pixels
   give nothing);
2. *transition*: ``A = a^beta`` over the neighbour pairs, with ``a = 1``
   on the diagonal; raising to ``beta`` makes weak affinities negligible,
   so labels flow inside regions and stop at boundaries.  Each step
   replaces a cell's scores by the ``A``-weighted mean of its neighbours'
   (``D^-1 A``, PSA's normalisation);
3. ``iterations`` steps, then the scores are resized to the image and each
   pixel takes the class of the highest score; a pixel no seed reached
   stays ignored.  With ``fill='objects'`` the walk only adds object
   pixels: an ignored pixel it would call background stays ignored.  PSL
   learns background from the background the mask labelled and needs the
   pixels it is unsure of left open; a walk that decides every pixel
   turns most of them into background (``docs/benchmarks.md``).

With ``keep_labelled`` (default) the pixels the mask labelled keep their
label: they are where two cues agreed (precision ~89 on MSRC-17), and the
walk is there for the pixels the cues left undecided, most of the masks'
errors.  Defaults are PSA's: ``beta=8``, ``iterations=256`` (its
``logt=8``), radius 5 cells at stride 8.

Outputs are palette PNGs in the pseudo masks' format, written atomically,
skipped when present (resumable), sharded across ranks.
"""
import os.path as osp
from typing import Dict, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from mmwsss.models.segmentors.affinity_net import (OUTPUT_STRIDE,
                                                   pair_affinities,
                                                   pair_offsets)
from mmwsss.utils.io import (IGNORE_INDEX, image_stem, read_mask,
                             write_label_png)
from mmwsss.utils.per_image import ImageShard

#: PSA's random-walk settings (module docstring)
AFFINITY_DEFAULTS = dict(beta=8.0, iterations=256, keep_labelled=True,
                         fill='all')
#: what the walk may write into the pixels the mask left ignored
FILLS = ('all', 'objects')


def seed_scores(mask: np.ndarray, class_ids: Sequence[int],
                grid: Tuple[int, int]) -> torch.Tensor:
    """``(K, h, w)``: the share of each cell's pixels ``mask`` gives to each
    of ``class_ids`` (the mask padded with ignored pixels to the grid)."""
    height, width = grid[0] * OUTPUT_STRIDE, grid[1] * OUTPUT_STRIDE
    padded = np.full((height, width), IGNORE_INDEX, np.int64)
    rows, cols = min(mask.shape[0], height), min(mask.shape[1], width)
    padded[:rows, :cols] = mask[:rows, :cols]
    padded = torch.from_numpy(padded)
    one_hot = torch.stack([(padded == c).float() for c in class_ids])
    return F.avg_pool2d(one_hot[None], OUTPUT_STRIDE)[0]


def affinity_matrix(embedding: torch.Tensor, radius: int, beta: float
                    ) -> torch.Tensor:
    """Sparse ``(N, N)`` ``a^beta`` of one image's ``(D, h, w)`` embedding:
    both directions of every pair within ``radius``, 1 on the diagonal."""
    height, width = embedding.shape[-2:]
    index = torch.arange(height * width).view(height, width)
    rows, cols, values = [index.flatten()], [index.flatten()], \
        [torch.ones(height * width)]
    affinities = pair_affinities(embedding[None].float(), radius)
    for (dy, dx), aff in zip(pair_offsets(radius), affinities):
        x0, x1 = max(0, -dx), width - max(0, dx)
        first = index[:height - dy, x0:x1].flatten()
        second = index[dy:, x0 + dx:x1 + dx].flatten()
        weight = aff[0].flatten().pow(beta)
        rows += [first, second]
        cols += [second, first]
        values += [weight, weight]
    return torch.sparse_coo_tensor(
        torch.stack([torch.cat(rows), torch.cat(cols)]), torch.cat(values),
        (height * width, height * width), check_invariants=False).coalesce()


def random_walk(seeds: torch.Tensor, affinity: torch.Tensor,
                iterations: int) -> torch.Tensor:
    """``(K, h, w)`` scores after ``iterations`` steps of ``D^-1 A``."""
    channels, height, width = seeds.shape
    degree = (affinity @ torch.ones(height * width, 1))
    scores = seeds.reshape(channels, -1).t().contiguous()
    for _ in range(iterations):
        scores = (affinity @ scores) / degree
    return scores.t().reshape(channels, height, width)


def propagate_mask(mask: np.ndarray, labels: Sequence[int],
                   embedding: torch.Tensor, radius: int,
                   beta: float = 8.0, iterations: int = 256,
                   keep_labelled: bool = True,
                   fill: str = 'all') -> np.ndarray:
    """One image's mask completed by the random walk (module docstring).

    Args:
        mask: ``(H, W)`` pseudo mask (255 ignored).
        labels: the image's tagged classes.
        embedding: ``(D, h, w)`` AffinityNet embedding of the image, its
            grid covering the image (``h = ceil(H / 8)``).
        fill: ``'all'`` (every pixel a seed reached) or ``'objects'``
            (ignored pixels take object classes only).
    """
    class_ids = [0] + [int(c) for c in labels]
    grid = tuple(embedding.shape[-2:])
    seeds = seed_scores(mask, class_ids, grid)
    if not seeds.any():
        return mask.copy()
    scores = random_walk(seeds, affinity_matrix(embedding, radius, beta),
                         iterations)
    scores = F.interpolate(scores[None], scale_factor=OUTPUT_STRIDE,
                           mode='bilinear', align_corners=False)[0]
    scores = scores[:, :mask.shape[0], :mask.shape[1]]
    winner = np.asarray(class_ids, np.uint8)[scores.argmax(dim=0).numpy()]
    out = np.where(scores.sum(dim=0).numpy() > 0, winner, IGNORE_INDEX)
    if fill == 'objects':
        out = np.where((mask == IGNORE_INDEX) & (out == 0), IGNORE_INDEX, out)
    if keep_labelled:
        out = np.where(mask == IGNORE_INDEX, out, mask)
    return out.astype(np.uint8)


@torch.no_grad()
def make_affinity_labels(model, dataset, masks_dir: str, out_dir: str,
                         beta: float = 8.0, iterations: int = 256,
                         keep_labelled: bool = True, fill: str = 'all',
                         batch_size: int = 1,
                         num_workers: int = 0,
                         show_progress: bool = True) -> Dict[str, int]:
    """Write ``out_dir/<image stem>.png`` for this rank's images: the
    masks of ``masks_dir`` completed by ``model``'s affinities.  Only the
    images, their tags and the given masks are read.

    Returns:
        The shard's tally; ``empty`` counts labelled images whose mask has
        no object pixel.
    """
    if not osp.isdir(masks_dir):
        raise FileNotFoundError(f'masks folder {masks_dir} does not exist')
    shard = ImageShard(dataset, out_dir, '.png', show_progress=show_progress)
    device = next(model.parameters()).device
    palette = dataset.metainfo['palette']
    for batch in shard.loader(batch_size, num_workers):
        data = model.data_preprocessor(batch, False)
        embeddings = model.embed(data['inputs'].to(device)).cpu()
        for sample, embedding in zip(data['data_samples'], embeddings):
            meta = sample.metainfo
            path = osp.join(masks_dir, image_stem(meta) + '.png')
            if meta.get('pixel_labelled') and not osp.isfile(path):
                shard.advance()  # its true mask trains it
                continue
            mask = read_mask(path)
            grid = (-(-mask.shape[0] // OUTPUT_STRIDE),
                    -(-mask.shape[1] // OUTPUT_STRIDE))
            out = propagate_mask(mask, meta['img_labels'],
                                 embedding[:, :grid[0], :grid[1]],
                                 model.radius, beta, iterations,
                                 keep_labelled, fill)
            write_label_png(shard.out_path(meta), out, palette)
            if meta['img_labels'] and not (
                    (out > 0) & (out != IGNORE_INDEX)).any():
                shard.count('empty')
            shard.advance()
    return shard.tally()
