"""Step: how the masks' teacher meets the cue masks, chosen on masks it
never saw.

The teacher (the segmentor trained on the pixel-labelled subset alone,
restricted to each image's tags) labels the tags-only images.  Its object
pixels are precise; where it says background it is either right or has
missed an object, and the cue masks (CAMs, erasing, saliency) say which
only if *their* objects are right there.  Which way a dataset goes
depends on it, not on the method (docs/benchmarks.md, "The masks as a
teacher: first, train-side measurement"):

* on MSRC-17 (17 classes, 30 masks) the teacher misses many objects and
  the cues find them: its objects over the cue masks score 77.45 on the
  tags-only images, the teacher alone 41.32;
* on photos whose tags name the garments of one figure the cue masks give
  the untagged head and arms a garment, the teacher (trained on masks that
  show them as background) does not: 64.48 over the cues, 70.96 alone.

So the pipeline measures it: a second teacher, trained on the subset less
one fold (:func:`mmwsss.datasets.pixel_labels.subset_fold`), labels that
held-out fold both ways, and the rule whose masks score higher against the
fold's true masks wins; ``'under'`` (the teacher's objects over the cue
masks) wins ties and is kept when nothing can be held out.  The held-out
images are training data, so this is a choice made on training data, as
the pseudo-mask thresholds are (:mod:`.calibration`).  The score is the
ladder's (:class:`~mmwsss.evaluation.ConfusionMatrix`: an ignored pixel
counts as a miss of its true class).
"""
import json
import os.path as osp
from typing import Callable, Dict, Sequence

import numpy as np

from mmwsss.evaluation.pseudo_label_eval import ConfusionMatrix
from mmwsss.utils.io import image_stem, read_mask

#: how the teacher's masks meet the cue masks: its objects over them
#: (the cue masks decide where it says background), or its masks alone;
#: the first is the default and wins ties
TEACHER_RULES = ('under', 'alone')


def apply_teacher_rule(rule: str, teacher: np.ndarray,
                       cues: np.ndarray) -> np.ndarray:
    """One image's mask from the teacher's label map and the cue mask."""
    if rule not in TEACHER_RULES:
        raise ValueError(f'teacher rule {rule!r}: choose from '
                         f'{TEACHER_RULES}')
    if teacher.shape != cues.shape:
        raise ValueError(f'teacher mask {teacher.shape} and cue mask '
                         f'{cues.shape} differ in size')
    return teacher if rule == 'alone' else np.where(teacher > 0, teacher,
                                                    cues)


def choose_teacher_rule(infos: Sequence[dict],
                        read_true_mask: Callable[[dict], np.ndarray],
                        teacher_dir: str, cue_dir: str,
                        num_classes: int) -> Dict[str, object]:
    """The rule whose masks of the held-out images ``infos`` (their
    teacher masks in ``teacher_dir``, cue masks in ``cue_dir``, as
    ``<stem>.png``) score the higher mIoU against their true masks.

    Returns ``rule``, ``images`` and each rule's ``scores`` (mIoU,
    precision, recall); ``rule`` is ``'under'`` when ``infos`` is empty
    (``reason`` says so) or the scores tie."""
    if not infos:
        return dict(rule=TEACHER_RULES[0], images=0, scores={},
                    reason='no pixel-labelled image held out (fewer than '
                    'two in the subset)')
    matrices = {rule: ConfusionMatrix(num_classes) for rule in TEACHER_RULES}
    for info in infos:
        name = image_stem(info) + '.png'
        teacher = read_mask(osp.join(teacher_dir, name))
        cues = read_mask(osp.join(cue_dir, name))
        truth = read_true_mask(info)
        for rule, matrix in matrices.items():
            matrix.update(apply_teacher_rule(rule, teacher, cues), truth)
    scores = {}
    for rule, matrix in matrices.items():
        found = matrix.scores()
        scores[rule] = {key: float(np.nan_to_num(found[key], nan=0.0))
                        for key in ('mIoU', 'precision', 'recall')}
    best = max(TEACHER_RULES, key=lambda rule: scores[rule]['mIoU'])
    return dict(rule=best, images=len(infos), scores=scores)


def read_teacher_rule(path: str) -> str:
    """The rule a :func:`choose_teacher_rule` file (``rule.json``) holds;
    an error naming the file when it holds none of :data:`TEACHER_RULES`."""
    with open(path) as handle:
        rule = json.load(handle).get('rule')
    if rule not in TEACHER_RULES:
        raise ValueError(f'{path}: rule {rule!r} is none of '
                         f'{TEACHER_RULES}')
    return rule
