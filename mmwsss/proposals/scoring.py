"""Step (HCP): the trained HCP classifier scores every proposal of every
training image and keeps the features of the best ones.

``<out_dir>/<image stem>.npz`` holds ``index`` (each scored box's
proposal in the image's proposal file; -1 is the whole frame),
``scores`` (``(N, num_classes - 1)`` sigmoid probabilities), and for the
``candidates`` best proposals of every labelled class (the whole frame
excluded: it localises nothing), ``feature_rows`` (rows of ``index``) and
their L2-normalised ``features``, which re-ranking compares across images.
The default of 50 keeps about every confident proposal (on MSRC-17 a
labelled class has a median 35 proposals scored >= 0.5): the maps take
the union of the ranked ones (:mod:`.localization_maps`).
Only images and image-level labels are read.
"""
from typing import Dict

import numpy as np
import torch
import torch.nn.functional as F

from mmwsss.utils.files import atomic_write, read_npz
from mmwsss.utils.per_image import ImageShard


def candidate_rows(scores: np.ndarray, index: np.ndarray, labels,
                   candidates: int) -> np.ndarray:
    """Rows of the ``candidates`` best-scoring real proposals of each
    labelled class (union, sorted)."""
    real = np.flatnonzero(index >= 0)
    if not len(real):
        real = np.arange(len(index))  # only the whole frame
    rows = set()
    for cls in labels:
        order = real[np.argsort(-scores[real, cls - 1], kind='stable')]
        rows.update(order[:candidates].tolist())
    return np.array(sorted(rows), np.int64)


def save_scores(path: str, index: np.ndarray, scores: np.ndarray,
                rows: np.ndarray, features: np.ndarray) -> None:
    with atomic_write(path) as handle:
        np.savez_compressed(handle, index=index,
                            scores=scores.astype(np.float16),
                            feature_rows=rows,
                            features=features.astype(np.float16))


def load_scores(path: str) -> Dict[str, np.ndarray]:
    """Read a file written by :func:`save_scores`."""
    out = read_npz(path, 'proposal score file')
    out['scores'] = out['scores'].astype(np.float32)
    out['features'] = out['features'].astype(np.float32)
    return out


@torch.no_grad()
def score_proposals(model, dataset, out_dir: str, candidates: int = 50,
                    batch_size: int = 1, num_workers: int = 0,
                    show_progress: bool = True) -> Dict[str, int]:
    """Write ``out_dir/<image stem>.npz`` for this rank's images (a
    dataset whose pipeline ends with :class:`LoadProposals` and
    :class:`PackWSSSInputs`, no augmentation)."""
    shard = ImageShard(dataset, out_dir, '.npz', show_progress=show_progress)
    device = next(model.parameters()).device
    for batch in shard.loader(batch_size, num_workers):
        data = model.data_preprocessor(batch, False)
        samples = data['data_samples']
        logits, features = model.proposal_logits(
            data['inputs'].to(device), samples)
        for sample, img_logits, img_feats in zip(samples, logits, features):
            index = sample.proposal_index.cpu().numpy()
            scores = torch.sigmoid(img_logits).float().cpu().numpy()
            rows = candidate_rows(scores, index,
                                  sample.metainfo['img_labels'], candidates)
            feats = F.normalize(img_feats[torch.from_numpy(rows).to(
                img_feats.device)].float(), dim=1).cpu().numpy()
            save_scores(shard.out_path(sample.metainfo), index, scores, rows,
                        feats)
        shard.advance(len(samples))
    return shard.tally()
