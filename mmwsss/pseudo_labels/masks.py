"""Step: pseudo segmentation masks from CAMs, erasing regions and saliency.

Each rung of the AE paper's ladder is one ``mode``:

* ``cam``: background where every CAM is below ``bg_threshold``, else the
  class of the strongest CAM (no ignored pixels);
* ``ae``: the fused adversarial-erasing regions (union of the first
  ``fuse_steps`` steps) with their classes, background elsewhere;
* ``cam_saliency`` and ``ae_saliency`` (the AE paper's saliency-guided
  masks) combine two independent cues, the *saliency cue* (saliency
  reaches ``saliency_threshold``) and the *object cue* of each labelled
  class, and label a pixel only where they agree:

  - salient and claimed by a class (it lies in the class's fused erasing
    regions, or its normalised CAM reaches ``cam_threshold``): that class;
  - neither salient nor mined: background.  *Mined* means inside the fused
    erasing regions (``ae_saliency``) or, without regions
    (``cam_saliency``), claimed by a CAM;
  - anything else is 255, ignored by training.

  A salient-object model misses objects (MSRC's books on a shelf, a field
  of flowers), and the regions of late erasing steps spill into context
  (the grass around a flower); the rule keeps either failure from becoming
  a confident wrong label: mined evidence that saliency misses is ignored,
  never turned into background (nor into an object: outside salient areas
  the regions are mostly context), and salient clutter that no class
  claims is ignored rather than given a class.

Pixels claimed by two classes go to the class with the higher normalised
CAM score (from ``cam_dir``; without CAMs, to the class listed first): the
paper's rule, and the default of every mode.  The saliency modes can give
them instead to the class whose claim is smaller (``contested=
'smaller_claim'``: the more specific evidence when one class's claim
holds the other's, a face on a body; :func:`assign_regions` says why).
That premise fails where the claims are blobs of similar size, as on
photos whose tags name the garments of one figure: there the smaller blob
takes pixels the CAMs give to the right class (docs/benchmarks.md, "Parts
of a salient whole"), so it is not the default; a dataset with a few
pixel masks chooses between the two on them (:mod:`.calibration`).  An image
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

import numpy as np

from mmwsss.crf import refine_label_map
from mmwsss.models.classifiers.cam import cams_to_label_map
from mmwsss.utils.io import (IGNORE_INDEX, image_size, image_stem,
                             load_cam_file, read_grey_map, read_image,
                             read_mask, write_label_png)
from mmwsss.utils.per_image import ImageShard, worker_pool
from mmwsss.utils.regions import fuse_regions, load_regions_file

MODES = ('cam', 'cam_saliency', 'ae', 'ae_saliency')
#: The a-priori settings (the module docstring says why), as
#: :func:`make_pseudo_labels` and :func:`compose_pseudo_label` default them.
PSEUDO_LABEL_DEFAULTS = dict(fuse_steps=3, bg_threshold=0.25,
                             saliency_threshold=0.3, cam_threshold=0.1,
                             contested='cam')
#: Who takes a pixel two classes claim in the saliency modes.
CONTESTED_RULES = ('cam', 'smaller_claim')
IGNORE = IGNORE_INDEX


def check_contested(contested: str) -> None:
    """Raise a ``ValueError`` naming the choices for an unknown rule."""
    if contested not in CONTESTED_RULES:
        raise ValueError(f'contested={contested!r}: choose from '
                         f'{CONTESTED_RULES}')


def assign_regions(masks: np.ndarray, labels: Sequence[int],
                   cams: Optional[np.ndarray],
                   prefer_smaller: bool = False) -> np.ndarray:
    """Label map: each pixel in some region gets its class, others 255.

    A pixel two classes claim goes to the higher CAM score, or with
    ``prefer_smaller`` to the class whose claim covers fewer pixels of the
    image (the CAM score breaks ties): the more specific evidence.  Erasing
    pushes each class's regions out into whatever it co-occurs with, so a
    large class's claim spreads over the small parts inside or beside it
    (a face on a body, a belt on a dress), while a small class's claim
    cannot spread as far; the normalised CAMs rank a small part below the
    blurred peak of the whole around it."""
    height, width = masks.shape[1:]
    out = np.full((height, width), IGNORE, np.uint8)
    if not len(labels):
        return out
    score = cams.astype(np.float32) if cams is not None else \
        -np.arange(len(labels), dtype=np.float32)[:, None, None] * \
        np.ones((1, height, width), np.float32)
    if prefer_smaller:
        area = masks.reshape(len(labels), -1).sum(axis=1)
        # rank by area first; scores (CAMs in [0, 1]) only break ties
        spread = float(np.abs(score).max()) + 1.0
        score = score - area[:, None, None].astype(np.float32) * spread
    score = np.where(masks, score, -np.inf)
    winner = score.argmax(axis=0)
    claimed = masks.any(axis=0)
    out[claimed] = np.asarray(labels, np.uint8)[winner[claimed]]
    return out


def object_claims(fused: Optional[np.ndarray], cams: Optional[np.ndarray],
                  cam_threshold: float) -> np.ndarray:
    """``(L, H, W)`` bool: where each labelled class's object cue fires
    (its ``fused`` erasing regions, if any, or CAM >= ``cam_threshold``
    where CAMs are given)."""
    claims = fused
    if cams is not None:
        cam_claims = cams >= cam_threshold
        claims = cam_claims if claims is None else claims | cam_claims
    return claims


def agree_with_saliency(claims: np.ndarray, mined: np.ndarray,
                        labels: Sequence[int], cams: Optional[np.ndarray],
                        salient: np.ndarray,
                        contested: str = 'cam') -> np.ndarray:
    """Label where the object cue and the saliency cue agree: salient and
    claimed, the claiming class (two claims: by ``contested``,
    :func:`assign_regions`); neither salient nor ``mined``, background;
    255 elsewhere.

    Args:
        claims: ``(L, H, W)`` bool, each labelled class's object cue.
        mined: ``(H, W)`` bool, the evidence that vetoes background.
        salient: ``(H, W)`` bool, the saliency cue.
        contested: one of :data:`CONTESTED_RULES`.
    """
    check_contested(contested)
    out = assign_regions(claims, labels, cams,
                         prefer_smaller=contested == 'smaller_claim')
    out[~salient] = IGNORE
    out[~salient & ~mined] = 0
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
                         cam_threshold: float = 0.1,
                         contested: str = 'cam') -> np.ndarray:
    """One image's pseudo mask (see the module docstring for the modes;
    ``contested`` applies to the saliency modes)."""
    if mode not in MODES:
        raise ValueError(f'unknown mode {mode!r}; choose from {MODES}')
    height, width = int(shape[0]), int(shape[1])
    if not len(labels):
        return np.zeros((height, width), np.uint8)
    if mode == 'cam':
        return cams_to_label_map(cams, labels, bg_threshold)
    if mode == 'ae':
        # the regions alone: CAMs only settle pixels two regions share
        out = assign_regions(fuse_regions(regions, fuse_steps,
                                          (height, width)), labels, cams)
        out[out == IGNORE] = 0
        return out
    cues = saliency_rule_cues(mode, (height, width), cams, regions, saliency,
                              fuse_steps, saliency_threshold, cam_threshold)
    return agree_with_saliency(cues['claims'], cues['mined'], labels, cams,
                               cues['salient'], contested)


def saliency_rule_cues(mode: str, shape: Sequence[int],
                       cams: Optional[np.ndarray],
                       regions: Optional[np.ndarray],
                       saliency: np.ndarray, fuse_steps: int,
                       saliency_threshold: float,
                       cam_threshold: float) -> Dict[str, np.ndarray]:
    """The two cues a saliency mode (``cam_saliency``, ``ae_saliency``)
    lets agree: ``claims`` ``(L, H, W)``, each labelled class's object cue;
    ``mined`` ``(H, W)``, the evidence that vetoes background; ``salient``
    ``(H, W)``, the saliency cue (also read by
    :mod:`mmwsss.pseudo_labels.cue_checks`)."""
    fused = fuse_regions(regions, fuse_steps, shape) \
        if mode.startswith('ae') else None
    claims = object_claims(fused, cams, cam_threshold)
    mined = (fused if fused is not None else claims).any(axis=0)
    return dict(claims=claims, mined=mined,
                salient=saliency >= saliency_threshold)


def label_composition(label_map: np.ndarray) -> Dict[str, int]:
    """Pixel counts of background, object and ignored labels of a mask."""
    ignored = int((label_map == IGNORE).sum())
    background = int((label_map == 0).sum())
    return dict(background=background, ignored=ignored,
                foreground=int(label_map.size) - ignored - background)


def mask_cues_needed(mode: str) -> Dict[str, bool]:
    """Which cue folders (``cams``, ``regions``, ``saliency``) ``mode``
    composes its masks from."""
    return dict(cams=mode in ('cam', 'cam_saliency'),
                regions=mode.startswith('ae'),
                saliency=mode.endswith('saliency'))


def load_cues(info: dict, cam_dir: Optional[str], regions_dir: Optional[str],
              saliency_dir: Optional[str]) -> dict:
    """One image's cues for :func:`compose_pseudo_label`: its size and
    labels, and the CAMs, erasing regions and saliency map each folder
    holds for it (``None`` where no folder is given)."""
    stem = image_stem(info)
    shape = image_size(info['img_path'])
    labels = list(info['img_labels'])
    cams = regions = saliency = None
    if cam_dir:
        data = load_cam_file(osp.join(cam_dir, stem + '.npz'))
        cams = data['cams']
        if list(data['labels']) != labels:
            raise ValueError(f'{cam_dir}/{stem}.npz: CAM labels '
                             f'{list(data["labels"])} != image labels '
                             f'{labels}')
    if regions_dir:
        regions = load_regions_file(
            osp.join(regions_dir, stem + '.npz'))['regions']
    if saliency_dir:
        saliency = read_grey_map(osp.join(saliency_dir, stem + '.png'), shape)
    return dict(shape=shape, labels=labels, cams=cams, regions=regions,
                saliency=saliency)


def _make_one(info: dict, out_path: str, options: dict) -> Dict[str, int]:
    """Compose, optionally CRF-refine and write one image's pseudo mask;
    returns its label composition."""
    cues = load_cues(info, options['cam_dir'], options['regions_dir'],
                     options['saliency_dir'])
    label_map = compose_pseudo_label(options['mode'], **cues,
                                     **options['thresholds'])
    if options['crf'] and cues['labels']:
        label_map = refine_label_map(
            read_image(info['img_path'], 'rgb'), label_map, options['crf'],
            classes=[0] + cues['labels']).astype(np.uint8)
    write_label_png(out_path, label_map, options['palette'])
    return label_composition(label_map)


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
                       contested: str = 'cam',
                       crf: Optional[str] = None,
                       num_workers: int = 1,
                       show_progress: bool = True) -> Dict[str, int]:
    """Write ``out_dir/<image stem>.png`` for this rank's images; returns
    the shard's tally (images done before / written now)."""
    if mode not in MODES:
        raise ValueError(f'unknown mode {mode!r}; choose from {MODES}')
    check_contested(contested)
    needs = mask_cues_needed(mode)
    for key, folder in (('cams', cam_dir), ('regions', regions_dir),
                        ('saliency', saliency_dir)):
        if needs[key] and not folder:
            raise ValueError(f'mode {mode!r} needs {key} (--{key} DIR)')
        if folder and not osp.isdir(folder):
            raise FileNotFoundError(f'{key} folder {folder} does not exist')
    shard = ImageShard(dataset, out_dir, '.png', show_progress=show_progress)
    options = dict(
        mode=mode, cam_dir=cam_dir, regions_dir=regions_dir,
        saliency_dir=saliency_dir, crf=crf,
        palette=dataset.metainfo['palette'],
        thresholds=dict(fuse_steps=fuse_steps, bg_threshold=bg_threshold,
                        saliency_threshold=saliency_threshold,
                        cam_threshold=cam_threshold, contested=contested))
    tasks = ((dict(img_path=info['img_path'], img_labels=info['img_labels']),
              shard.out_path(info), options)
             for infos in shard.info_batches() for info in infos)
    with worker_pool(num_workers) as parallel:
        for _ in parallel.imap(_make_one, tasks):
            shard.advance()
    return shard.tally()


def tally_label_folder(dataset, folder: str) -> Dict[str, float]:
    """What a folder of pseudo masks holds, over every image of
    ``dataset``: the share (percent) of background, object and ignored
    pixels, the labelled images left without any object pixel (their
    classes were lost: empty CAMs, missed saliency, a wrong input
    folder), and the tags whose class got no pixel of its image
    (``lost_tags``, ``lost_tag_share`` in percent of all tags: small
    objects the cues missed; a class with no pixel never trains the
    segmentor on that image)."""
    pixels = dict(background=0, foreground=0, ignored=0)
    labelled, empty, tags, lost = 0, [], 0, 0
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        label_map = read_mask(osp.join(folder, image_stem(info) + '.png'))
        for key, value in label_composition(label_map).items():
            pixels[key] += value
        if info['img_labels']:
            labelled += 1
            present = set(np.unique(label_map).tolist())
            tags += len(info['img_labels'])
            lost += len(set(info['img_labels']) - present)
            if not present - {0, IGNORE}:
                empty.append(image_stem(info))
    total = max(sum(pixels.values()), 1)
    return dict(
        **{f'{key}_pixels': 100.0 * value / total
           for key, value in pixels.items()},
        labelled_images=labelled, empty_labelled_images=len(empty),
        empty_examples=empty[:5], lost_tags=lost,
        lost_tag_share=100.0 * lost / max(tags, 1))
