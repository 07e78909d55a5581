"""PSL++: new pseudo masks from a trained PSL segmentor.

The trained network predicts every training image; its classification
branch re-weights the class probabilities as during PSL training
(background weight 1); classes missing from the image's labels are removed;
the dense CRF sharpens the boundaries; the argmax is written as the next
round's pseudo mask.  Only images and image-level labels are read.

Like the other per-image generators: one PNG per image, written atomically,
finished files skipped (resumable), images sharded across ranks,
deterministic.
"""
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch

from mmwsss.crf import crf_map, refine_probs
from mmwsss.models.heads.psl_head import allowed_class_mask
from mmwsss.models.segmentors.wsss_encoder_decoder import read_rgb
from .cam_generation import PendingShard, output_stem
from .pseudo_label_generation import write_label_png


def label_probabilities(seg_logits: torch.Tensor, cls_probs: torch.Tensor,
                        labels: Sequence[int],
                        use_cls_weights: bool = True
                        ) -> Tuple[np.ndarray, np.ndarray]:
    """Probabilities over background + the image's labels only.

    Args:
        seg_logits: ``(C, H, W)`` logits of one image.
        cls_probs: ``(C - 1,)`` branch probabilities of the image.
        labels: the image's foreground classes.
        use_cls_weights: re-weight by the branch (PSL); False uses the
            segmentation probabilities alone.

    Returns:
        ``(class_ids, probs)``: the kept class ids (background first) and
        their ``(K, H, W)`` float32 probabilities, renormalised.
    """
    num_classes = seg_logits.shape[0]
    allowed = allowed_class_mask([labels], num_classes,
                                 seg_logits.device)[0]
    probs = seg_logits.float().softmax(dim=0)
    if use_cls_weights:
        weights = torch.cat([cls_probs.new_ones(1), cls_probs.float()])
        probs = probs * weights[:, None, None]
    kept = allowed.nonzero().flatten()
    probs = probs[kept]
    probs = probs / probs.sum(dim=0, keepdim=True).clamp_min(1e-12)
    return kept.cpu().numpy(), probs.cpu().numpy().astype(np.float32)


def _refine_and_write(img_path: str, class_ids: np.ndarray,
                      probs: np.ndarray, out_path: str,
                      crf: Optional[str], palette) -> str:
    if crf and len(class_ids) > 1:
        probs = refine_probs(read_rgb(img_path), probs, crf)
    label_map = class_ids[probs.argmax(axis=0)].astype(np.uint8)
    write_label_png(out_path, label_map, palette)
    return out_path


@torch.no_grad()
def make_psl_plus_labels(model,
                         dataset,
                         out_dir: str,
                         crf: Optional[str] = 'deeplab',
                         use_cls_weights: bool = True,
                         batch_size: int = 1,
                         num_workers: int = 0,
                         crf_workers: int = 1,
                         show_progress: bool = True) -> Dict[str, int]:
    """Write ``out_dir/<image stem>.png`` for this rank's shard of
    ``dataset`` (the training split without augmentation).

    Args:
        model: a trained :class:`WSSSEncoderDecoder` with a ``PSLHead``, in
            eval mode.
        crf: a CRF preset of :mod:`mmwsss.crf`, or ``None``.
        crf_workers: processes for the CRF (it is single-threaded).

    Returns:
        ``dict(total=..., done_before=..., written=...)``.
    """
    shard = PendingShard(dataset, out_dir, '.png', batch_size, num_workers,
                         show_progress)
    palette = dataset.metainfo['palette']
    device = next(model.parameters()).device
    for batch in shard.loader:
        data = model.data_preprocessor(batch, False)
        samples = data['data_samples']
        logits, cls_probs = model.predict_with_cls(
            data['inputs'].to(device), samples)
        tasks = []
        for sample, img_logits, img_cls in zip(samples, logits, cls_probs):
            class_ids, probs = label_probabilities(
                img_logits, img_cls, sample.metainfo['img_labels'],
                use_cls_weights)
            out_path = osp.join(out_dir,
                                output_stem(sample.metainfo) + '.png')
            tasks.append((sample.metainfo['img_path'], class_ids, probs,
                          out_path, crf, palette))
        for _ in crf_map(_refine_and_write, tasks, crf_workers):
            shard.advance()
    return shard.tally()
