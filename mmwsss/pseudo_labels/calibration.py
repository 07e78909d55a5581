"""Choosing the pseudo-mask step's free settings on the pixel-labelled
images, when a dataset has some.

Without pixel labels the thresholds of :func:`~.masks.compose_pseudo_label`
are fixed a priori (one value for every dataset).  A few training images
with true masks (a dataset's ``pixel_labels`` subset) are training data:
choosing the settings on them adapts the step to the user's photos and
saliency model without looking at validation data.  The search is a
fixed grid (:data:`GRID`, the same for every dataset), scored with the
ladder's own metric (:class:`~mmwsss.evaluation.ConfusionMatrix`: an
ignored pixel counts as a miss of its true class), and the a-priori value
wins ties, so a subset that cannot tell settings apart changes nothing.
Settings a config names explicitly are the method's (AE-PSL fuses 3
erasing steps) and are kept; only those left at their defaults are free.
"""
import itertools
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from mmwsss.evaluation.pseudo_label_eval import ConfusionMatrix
from .masks import compose_pseudo_label, load_cues

#: The values searched for each setting, a priori: thresholds of min-max
#: normalised maps in steps of 0.1 (0.05 at the low end, where CAM votes
#: live), every erasing step count the AE loop may export, and both rules
#: for pixels two classes claim.
GRID = dict(
    bg_threshold=(0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6),
    saliency_threshold=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
    cam_threshold=(0.05, 0.1, 0.2, 0.3, 0.4),
    fuse_steps=(1, 2, 3, 4, 5),
    contested=('cam', 'smaller_claim'))
#: Which settings each mode's masks depend on.
MODE_SETTINGS = dict(
    cam=('bg_threshold', ),
    cam_saliency=('saliency_threshold', 'cam_threshold', 'contested'),
    ae=('fuse_steps', ),
    ae_saliency=('fuse_steps', 'saliency_threshold', 'cam_threshold',
                 'contested'))


def _candidates(names: Sequence[str], defaults: Dict[str, float],
                steps: int) -> List[Dict[str, float]]:
    """Every grid point of the settings ``names``, the defaults first (so
    they win ties); step counts beyond the regions' steps are skipped."""
    values = [[v for v in GRID[name]
               if name != 'fuse_steps' or v <= steps] for name in names]
    points = [dict(zip(names, combo)) for combo in itertools.product(*values)]
    default = {name: defaults[name] for name in names}
    return [default] + [p for p in points if p != default]


def _score(cues: Sequence[dict], truths: Sequence[np.ndarray], mode: str,
           settings: dict, fixed: dict, num_classes: int) -> dict:
    matrix = ConfusionMatrix(num_classes)
    for image, truth in zip(cues, truths):
        pred = compose_pseudo_label(mode, **image, **dict(fixed, **settings))
        matrix.update(pred, truth)
    scores = matrix.scores()
    return dict(mIoU=scores['mIoU'], precision=scores['precision'],
                recall=scores['recall'])


def calibrate_pseudo_labels(infos: Sequence[dict],
                            read_true_mask: Callable[[dict], np.ndarray],
                            mode: str, num_classes: int,
                            defaults: Dict[str, float],
                            names: Optional[Sequence[str]] = None,
                            cam_dir: Optional[str] = None,
                            regions_dir: Optional[str] = None,
                            saliency_dir: Optional[str] = None) -> dict:
    """The settings of ``mode`` that give the pixel-labelled images
    (``infos``) the best masks.

    Args:
        infos: data infos of the pixel-labelled images (``img_path``,
            ``img_labels``).
        read_true_mask: an info's true mask in the dataset's class indices.
        defaults: the a-priori value of every setting (and the value of
            those not searched).
        names: the settings to search (default: every one ``mode``'s
            masks depend on, :data:`MODE_SETTINGS`).

    Returns:
        ``settings`` (the chosen values of the mode's settings), the
        subset's scores with them (``chosen``) and with the defaults
        (``default``), and how many images and grid points were searched.
    """
    cues = [load_cues(info, cam_dir, regions_dir, saliency_dir)
            for info in infos]
    truths = [read_true_mask(info) for info in infos]
    steps = max([c['regions'].shape[0] for c in cues
                 if c['regions'] is not None] or [1])
    names = tuple(names if names is not None else MODE_SETTINGS[mode])
    candidates = _candidates(names, defaults, steps)
    fixed = {k: v for k, v in defaults.items() if k not in names}
    scored = [(_score(cues, truths, mode, c, fixed, num_classes), c)
              for c in candidates]
    best_score, best = max(
        scored, key=lambda item: np.nan_to_num(item[0]['mIoU'], nan=-1.0))
    return dict(settings=best, chosen=best_score, default=scored[0][0],
                images=len(infos), searched=len(candidates))
