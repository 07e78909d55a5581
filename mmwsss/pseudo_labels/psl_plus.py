"""Step: PSL++ masks, new pseudo masks from a trained segmentor.

The trained network predicts every training image; its classification
branch re-weights the class probabilities as during PSL training
(:func:`mmwsss.models.heads.psl_head.reweight_by_class_probs`); classes
missing from the image's labels are removed; the dense CRF sharpens the
boundaries; the argmax is written as the next round's pseudo mask.  Only
images and image-level labels are read.  With ``crf=None`` the same step
writes PSL's online masks of the training images (what the ladder scores);
with ``use_cls_weights=False`` it takes any segmentor, branch or not
(STC's masks "predicted, corrected by the image labels").

Removing the absent classes can work two ways (``absent_classes``):

* ``'drop'`` (PSL++): their probability is discarded and the rest
  renormalised, so a pixel the network is unsure is an object *of which
  class* may fall to background;
* ``'merge'`` (STC): the network decides object against background
  (``1 - p_bg`` stays foreground) and the labels decide the class: the
  foreground mass goes to the labelled classes in proportion to their
  probabilities.  A network trained on soft saliency targets tells objects
  from background before it tells classes apart; with ``'drop'`` its
  confusion between classes would erase objects it has found.

With ``keep_masks_dir`` the step completes earlier masks instead of
replacing them: a pixel those masks label keeps its label, and only the
pixels they left undecided (ignored) take the refined prediction, so a
class the network never learned to predict keeps its labels.  The
pipelines replace, as the paper's PSL++ does; on MSRC-17 completing did not
change the final model (docs/benchmarks.md, PSL++ ablation).

With ``under_masks_dir`` it works the other way round: the prediction's
object pixels are laid over those masks, which decide only where the
prediction says background.  A semi-supervised pipeline uses it with a
*teacher*, the segmentor trained on the true masks alone: restricted to
each image's tags its object pixels are precise (94 % on MSRC-17 and on
the parts benchmark) but it misses many objects, while the tag cues find
more of them less precisely; the teacher's objects over the cue masks keep
the strength of each (the semi-supervised EM of Papandreou et al., ICCV
2015, estimates the tags-only images' masks the same way, from a model
trained on the strong labels, constrained to the image's classes).
"""
import os.path as osp
from typing import Dict, Iterator, Optional, Sequence, Tuple

import numpy as np
import torch

from mmwsss.crf import refine_probs
from mmwsss.models.heads.psl_head import (allowed_class_mask,
                                          reweight_by_class_probs)
from mmwsss.utils.io import (IGNORE_INDEX, image_stem, read_image, read_mask,
                             write_label_png)
from mmwsss.utils.per_image import ImageShard, worker_pool


def label_probabilities(seg_logits: torch.Tensor, cls_probs: torch.Tensor,
                        labels: Sequence[int],
                        use_cls_weights: bool = True,
                        absent_classes: str = 'drop'
                        ) -> Tuple[np.ndarray, np.ndarray]:
    """Probabilities over background + the image's labels only.

    Args:
        seg_logits: ``(C, H, W)`` logits of one image.
        cls_probs: ``(C - 1,)`` branch probabilities of the image.
        labels: the image's foreground classes.
        use_cls_weights: re-weight by the branch (PSL); False uses the
            segmentation probabilities alone.
        absent_classes: ``'drop'`` or ``'merge'`` (module docstring).

    Returns:
        ``(class_ids, probs)``: the kept class ids (background first) and
        their ``(K, H, W)`` float32 probabilities, renormalised.
    """
    num_classes = seg_logits.shape[0]
    allowed = allowed_class_mask([labels], num_classes,
                                 seg_logits.device)[0]
    probs = seg_logits.float().softmax(dim=0)
    if use_cls_weights:
        if cls_probs is None:
            raise ValueError('use_cls_weights needs a segmentor with a '
                             'classification branch (PSLHead)')
        probs = reweight_by_class_probs(probs[None],
                                        cls_probs.float()[None])[0]
    kept = allowed.nonzero().flatten()
    if absent_classes == 'merge' and len(kept) > 1:
        share = probs[kept[1:]]
        share = share / share.sum(dim=0, keepdim=True).clamp_min(1e-12)
        probs = torch.cat([probs[:1], (1 - probs[:1]) * share])
    elif absent_classes in ('drop', 'merge'):
        probs = probs[kept]
        probs = probs / probs.sum(dim=0, keepdim=True).clamp_min(1e-12)
    else:
        raise ValueError(f'absent_classes must be drop or merge, got '
                         f'{absent_classes!r}')
    return kept.cpu().numpy(), probs.cpu().numpy().astype(np.float32)


def keep_labelled_pixels(label_map: np.ndarray, kept_path: str
                         ) -> np.ndarray:
    """``label_map`` where the mask at ``kept_path`` is ignored, that
    mask's label everywhere else."""
    kept = read_mask(kept_path)
    if kept.shape != label_map.shape:
        raise ValueError(f'{kept_path}: mask size {kept.shape} differs from '
                         f'the prediction size {label_map.shape}')
    return np.where(kept == IGNORE_INDEX, label_map, kept)


def overlay_object_pixels(label_map: np.ndarray, under_path: str
                          ) -> np.ndarray:
    """``label_map``'s object pixels over the mask at ``under_path``,
    whose label stays wherever ``label_map`` is background."""
    under = read_mask(under_path)
    if under.shape != label_map.shape:
        raise ValueError(f'{under_path}: mask size {under.shape} differs '
                         f'from the prediction size {label_map.shape}')
    return np.where(label_map > 0, label_map, under)


#: how a prediction meets earlier masks: the kept masks win where they
#: label a pixel, or the prediction's objects go over them
COMBINE = dict(keep=keep_labelled_pixels, under=overlay_object_pixels)


def _refine_and_write(img_path: str, class_ids: np.ndarray,
                      probs: np.ndarray, out_path: str,
                      crf: Optional[str], palette,
                      other: Optional[Tuple[str, str]] = None) -> bool:
    """CRF (optional), argmax, combined with an earlier mask (optional:
    ``(COMBINE key, its path)``), write (in a worker process); whether the
    image has labels but no object pixel is left."""
    if crf and len(class_ids) > 1:
        probs = refine_probs(read_image(img_path, 'rgb'), probs, crf)
    label_map = class_ids[probs.argmax(axis=0)]
    if other is not None:
        how, path = other
        label_map = COMBINE[how](label_map, path)
    write_label_png(out_path, label_map.astype(np.uint8), palette)
    return len(class_ids) > 1 and not (label_map > 0).any()


@torch.no_grad()
def make_psl_plus_labels(model,
                         dataset,
                         out_dir: str,
                         crf: Optional[str] = 'deeplab',
                         use_cls_weights: bool = True,
                         absent_classes: str = 'drop',
                         batch_size: int = 1,
                         num_workers: int = 0,
                         crf_workers: int = 1,
                         keep_masks_dir: Optional[str] = None,
                         under_masks_dir: Optional[str] = None,
                         show_progress: bool = True) -> Dict[str, int]:
    """Write ``out_dir/<image stem>.png`` for this rank's images (the
    training split without augmentation).

    Args:
        model: a trained :class:`WSSSEncoderDecoder` with a ``PSLHead``, in
            eval mode.
        crf: a CRF preset of :mod:`mmwsss.crf`, or ``None``.
        crf_workers: processes for the CRF (it is single-threaded).
        absent_classes: how classes outside the labels are removed
            (``'drop'`` or ``'merge'``, module docstring).
        keep_masks_dir: masks (``<image stem>.png``) whose labelled pixels
            are kept; the prediction fills only their ignored pixels
            (module docstring).  ``None`` writes the prediction alone.
        under_masks_dir: masks (``<image stem>.png``) the prediction's
            object pixels are laid over (module docstring); not with
            ``keep_masks_dir``.

    Returns:
        The shard's tally; ``empty`` counts labelled images whose mask has
        no object pixel.
    """
    if keep_masks_dir is not None and under_masks_dir is not None:
        raise ValueError('keep_masks_dir and under_masks_dir exclude each '
                         'other: earlier masks are either completed or '
                         'overlaid')
    other = (('keep', keep_masks_dir) if keep_masks_dir is not None else
             ('under', under_masks_dir) if under_masks_dir is not None
             else None)
    shard = ImageShard(dataset, out_dir, '.png', show_progress=show_progress)
    tasks = _refine_tasks(model, shard, batch_size, num_workers,
                          dict(use_cls_weights=use_cls_weights,
                               absent_classes=absent_classes),
                          (crf, dataset.metainfo['palette']), other)
    with worker_pool(crf_workers) as parallel:
        for is_empty in parallel.imap(_refine_and_write, tasks):
            if is_empty:
                shard.count('empty')
            shard.advance()
    return shard.tally()


@torch.no_grad()
def _refine_tasks(model, shard: ImageShard, batch_size: int,
                  num_workers: int, probability_options: dict,
                  write_options: tuple,
                  other: Optional[Tuple[str, str]]) -> Iterator[tuple]:
    """One CRF-and-write task per image still to do: the network runs
    here, lazily, so it predicts the next batch while the workers refine
    the last one."""
    device = next(model.parameters()).device
    for batch in shard.loader(batch_size, num_workers):
        data = model.data_preprocessor(batch, False)
        samples = data['data_samples']
        logits, cls_probs = model.predict_with_cls(
            data['inputs'].to(device), samples)
        if cls_probs is None:
            cls_probs = [None] * len(samples)
        for sample, img_logits, img_cls in zip(samples, logits, cls_probs):
            class_ids, probs = label_probabilities(
                img_logits, img_cls, sample.metainfo['img_labels'],
                **probability_options)
            other_mask = None if other is None else (other[0], osp.join(
                other[1], image_stem(sample.metainfo) + '.png'))
            yield (sample.metainfo['img_path'], class_ids, probs,
                   shard.out_path(sample.metainfo), *write_options,
                   other_mask)
