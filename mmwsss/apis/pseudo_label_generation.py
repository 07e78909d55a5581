"""Pseudo segmentation masks from CAMs, erasing regions and saliency.

Each rung of the AE paper's ladder is one ``mode``:

* ``cam``: background where every CAM is below ``bg_threshold``, else the
  class of the strongest CAM (no ignored pixels);
* ``ae``: the fused adversarial-erasing regions (union of the first
  ``fuse_steps`` steps) with their classes, background elsewhere;
* ``cam_saliency`` and ``ae_saliency`` (the AE paper's saliency-guided
  masks) combine two independent cues and label a pixel only where they
  agree:

  - the *object cue* of a class: the pixel lies in the class's fused
    erasing regions (``ae_saliency``) or its normalised CAM reaches
    ``cam_threshold`` (``cam_saliency``, and ``ae_saliency`` when CAMs are
    given);
  - the *saliency cue*: saliency reaches ``saliency_threshold``.

  Both cues say object: the claiming class with the highest CAM (or the
  first claimant without CAMs).  Neither does: background.  They disagree:
  255, ignored by training.  A salient-object model misses objects (MSRC's
  signs, books, faces in clutter), and the mined regions of late erasing
  steps spill into context; the agreement rule keeps either failure from
  becoming a confident wrong label: mined evidence that saliency misses is
  ignored rather than turned into background, and salient clutter that no
  class claims is ignored rather than given a class.

Pixels claimed by two classes go to the class with the higher CAM score
(from ``cam_dir``); without CAMs, to the class listed first.  An image
without labels is all background.  ``crf`` refines the result with the dense
CRF (``irn`` preset: ignored pixels are filled from colour edges).

Thresholds are fixed a priori, one value for every dataset: saliency 0.3
(the salient-object maps are min-max normalised per image, so the object
sits well above it and the background far below), CAM 0.1 of the class's
peak (a weak "this class is here" vote: it only has to agree with
saliency), erasing regions as mined.

Outputs are VOC palette PNGs written atomically, skipped when present
(resumable), sharded across ranks; generation is deterministic.  Each run
tallies what it wrote: the share of background, object and ignored pixels
and the labelled images left without any object pixel.
"""
import os.path as osp
from typing import Dict, Optional, Sequence

import cv2
import numpy as np
from mmengine.dist import get_dist_info
from mmengine.utils import ProgressBar
from PIL import Image

from mmwsss.crf import crf_map, refine_label_map
from mmwsss.models.classifiers.cam import cams_to_label_map
from mmwsss.utils.io import atomic_write, load_cam_file, load_regions_file
from .cam_generation import output_stem, pending_indices
from .saliency_generation import load_saliency_map

MODES = ('cam', 'cam_saliency', 'ae', 'ae_saliency')
IGNORE = 255


def fuse_regions(regions: np.ndarray, fuse_steps: int,
                 shape: Sequence[int]) -> np.ndarray:
    """Union of the first ``fuse_steps`` steps' ``(steps, L, g, g)`` cell
    masks, upsampled (bilinear, then > 0.5) to ``(L, H, W)`` bool."""
    fused = regions[:fuse_steps].any(axis=0).astype(np.float32)
    height, width = int(shape[0]), int(shape[1])
    return np.stack([
        cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
        > 0.5 for mask in fused
    ]) if len(fused) else np.zeros((0, height, width), bool)


def assign_regions(masks: np.ndarray, labels: Sequence[int],
                   cams: Optional[np.ndarray]) -> np.ndarray:
    """Label map: each pixel in some region gets its class (overlaps by
    CAM score), others 255."""
    height, width = masks.shape[1:]
    out = np.full((height, width), IGNORE, np.uint8)
    if not len(labels):
        return out
    score = cams.astype(np.float32) if cams is not None else \
        -np.arange(len(labels), dtype=np.float32)[:, None, None] * \
        np.ones((1, height, width), np.float32)
    score = np.where(masks, score, -np.inf)
    winner = score.argmax(axis=0)
    claimed = masks.any(axis=0)
    out[claimed] = np.asarray(labels, np.uint8)[winner[claimed]]
    return out


def object_claims(mode: str, shape: Sequence[int],
                  cams: Optional[np.ndarray], regions: Optional[np.ndarray],
                  fuse_steps: int, cam_threshold: float) -> np.ndarray:
    """``(L, H, W)`` bool: where each labelled class's object cue fires
    (fused erasing regions for the ``ae`` modes, CAM >= ``cam_threshold``
    where CAMs are given)."""
    claims = np.zeros((0, ) + tuple(shape), bool)
    if mode.startswith('ae'):
        claims = fuse_regions(regions, fuse_steps, shape)
    if cams is not None:
        cam_claims = cams >= cam_threshold
        claims = cam_claims if not len(claims) else claims | cam_claims
    return claims


def agree_with_saliency(claims: np.ndarray, labels: Sequence[int],
                        cams: Optional[np.ndarray], salient: np.ndarray
                        ) -> np.ndarray:
    """Label where the object cue and the saliency cue agree (both: the
    claiming class; neither: background), 255 where they disagree."""
    out = assign_regions(claims, labels, cams)
    claimed = out != IGNORE
    out[~claimed & ~salient] = 0
    out[claimed & ~salient] = IGNORE
    return out


def compose_pseudo_label(mode: str,
                         shape: Sequence[int],
                         labels: Sequence[int],
                         cams: Optional[np.ndarray] = None,
                         regions: Optional[np.ndarray] = None,
                         saliency: Optional[np.ndarray] = None,
                         fuse_steps: int = 3,
                         bg_threshold: float = 0.25,
                         saliency_threshold: float = 0.3,
                         cam_threshold: float = 0.1) -> np.ndarray:
    """One image's pseudo mask (see the module docstring for the modes)."""
    if mode not in MODES:
        raise ValueError(f'unknown mode {mode!r}; choose from {MODES}')
    height, width = int(shape[0]), int(shape[1])
    if not len(labels):
        return np.zeros((height, width), np.uint8)
    if mode == 'cam':
        return cams_to_label_map(cams, labels, bg_threshold)
    claims = object_claims(mode, (height, width), cams, regions, fuse_steps,
                           cam_threshold)
    if mode == 'ae':
        out = assign_regions(claims, labels, cams)
        out[out == IGNORE] = 0
        return out
    return agree_with_saliency(claims, labels, cams,
                               saliency >= saliency_threshold)


def label_composition(label_map: np.ndarray) -> Dict[str, int]:
    """Pixel counts of background, object and ignored labels of a mask."""
    ignored = int((label_map == IGNORE).sum())
    background = int((label_map == 0).sum())
    return dict(background=background, ignored=ignored,
                foreground=int(label_map.size) - ignored - background)


def _needs(mode: str) -> Dict[str, bool]:
    return dict(cams=mode in ('cam', 'cam_saliency'),
                regions=mode.startswith('ae'),
                saliency=mode.endswith('saliency'))


def _make_one(info: dict, out_path: str, options: dict) -> str:
    """Compose, optionally CRF-refine and write one image's pseudo mask."""
    stem = output_stem(info)
    shape = Image.open(info['img_path']).size[::-1]
    labels = list(info['img_labels'])
    cams = regions = saliency = None
    if options['cam_dir']:
        data = load_cam_file(osp.join(options['cam_dir'], stem + '.npz'))
        cams = data['cams']
        if list(data['labels']) != labels:
            raise ValueError(f'{options["cam_dir"]}/{stem}.npz: CAM labels '
                             f'{list(data["labels"])} != image labels '
                             f'{labels}')
    if options['regions_dir']:
        regions = load_regions_file(
            osp.join(options['regions_dir'], stem + '.npz'))['regions']
    if options['saliency_dir']:
        saliency = load_saliency_map(
            osp.join(options['saliency_dir'], stem + '.png'), shape)
    label_map = compose_pseudo_label(
        options['mode'], shape, labels, cams, regions, saliency,
        **options['thresholds'])
    if options['crf'] and labels:
        img = cv2.imread(info['img_path'])[..., ::-1]
        label_map = refine_label_map(
            np.ascontiguousarray(img), label_map, options['crf'],
            classes=[0] + labels).astype(np.uint8)
    write_label_png(out_path, label_map, options['palette'])
    return out_path


def write_label_png(path: str, label_map: np.ndarray, palette) -> None:
    """VOC-style palette PNG (value = class index, 255 = ignored)."""
    table = np.zeros((256, 3), np.uint8)
    table[:len(palette)] = np.asarray(palette, np.uint8)
    table[IGNORE] = (224, 224, 192)
    png = Image.fromarray(label_map.astype(np.uint8), mode='P')
    png.putpalette(table.ravel().tolist())
    with atomic_write(path) as handle:
        png.save(handle, format='PNG')


def make_pseudo_labels(dataset,
                       out_dir: str,
                       mode: str,
                       cam_dir: Optional[str] = None,
                       regions_dir: Optional[str] = None,
                       saliency_dir: Optional[str] = None,
                       fuse_steps: int = 3,
                       bg_threshold: float = 0.25,
                       saliency_threshold: float = 0.3,
                       cam_threshold: float = 0.1,
                       crf: Optional[str] = None,
                       num_workers: int = 1,
                       show_progress: bool = True) -> Dict[str, int]:
    """Write ``out_dir/<image stem>.png`` for every image of ``dataset``
    (this rank's shard); returns ``dict(total, done_before, written)``."""
    if mode not in MODES:
        raise ValueError(f'unknown mode {mode!r}; choose from {MODES}')
    needs = _needs(mode)
    for key, folder in (('cams', cam_dir), ('regions', regions_dir),
                        ('saliency', saliency_dir)):
        if needs[key] and not folder:
            raise ValueError(f'mode {mode!r} needs {key} (--{key} DIR)')
        if folder and not osp.isdir(folder):
            raise FileNotFoundError(f'{key} folder {folder} does not exist')
    rank, world = get_dist_info()
    todo = pending_indices(dataset, out_dir, '.png', rank, world)
    options = dict(
        mode=mode, cam_dir=cam_dir, regions_dir=regions_dir,
        saliency_dir=saliency_dir, crf=crf,
        palette=dataset.metainfo['palette'],
        thresholds=dict(fuse_steps=fuse_steps, bg_threshold=bg_threshold,
                        saliency_threshold=saliency_threshold,
                        cam_threshold=cam_threshold))
    tasks = []
    for index in todo:
        info = dataset.get_data_info(index)
        tasks.append((dict(img_path=info['img_path'],
                           img_labels=info['img_labels']),
                      osp.join(out_dir, output_stem(info) + '.png'),
                      options))
    progress = ProgressBar(len(tasks)) if show_progress and tasks and \
        rank == 0 else None
    for start in range(0, len(tasks), 64):
        for _ in crf_map(_make_one, tasks[start:start + 64], num_workers):
            if progress:
                progress.update()
    shard = len(range(rank, len(dataset), world))
    return dict(total=shard, done_before=shard - len(todo),
                written=len(todo))
