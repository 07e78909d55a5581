"""Where masks go wrong: per-class IoU and the split of every error.

A mask (pseudo or predicted) can be wrong in three ways that call for
different fixes, and a single mIoU hides which one dominates:

* **false background**: an object pixel labelled background (the object
  was missed: CAM too small, saliency miss, a network biased to
  background);
* **false foreground**: a background pixel labelled as an object (masks
  that bleed into context);
* **wrong class**: an object pixel labelled as another object (the class
  that takes most of them is named: two classes that always appear
  together in the training images are often swapped wholesale);
* **ignored**: a pixel left at 255 (pseudo masks only: no supervision, so
  not an error a network learns from, but a miss for the score).

Everything is derived from one confusion matrix (rows: ground truth,
columns: prediction) plus, per ground-truth class, the pixels predicted
255.  Evaluation only: the ground truth is read by the caller.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

ERROR_KINDS = ('false_background', 'false_foreground', 'wrong_class',
               'ignored')


def _share(part: float, whole: float) -> float:
    return 100.0 * float(part) / float(whole) if whole else 0.0


def class_error_split(matrix: np.ndarray, ignored: np.ndarray,
                      cls: int) -> Dict[str, float]:
    """Pixel counts of class ``cls``'s IoU denominator, split by cause.

    For an object class: ``false_background`` = its pixels labelled
    background (misses), ``false_foreground`` = background pixels labelled
    ``cls``, ``wrong_class`` = its pixels labelled another object plus
    other objects' pixels labelled ``cls``.  For background (0) the same
    words keep their meaning: ``false_background`` = object pixels labelled
    background, ``false_foreground`` = background pixels labelled an
    object.
    """
    tp = matrix[cls, cls]
    if cls == 0:
        false_bg = matrix[1:, 0].sum()
        false_fg = matrix[0, 1:].sum()
        wrong = 0
    else:
        false_bg = matrix[cls, 0]
        false_fg = matrix[0, cls]
        wrong = (matrix[cls, 1:].sum() - tp) + (matrix[1:, cls].sum() - tp)
    return dict(true=int(tp), false_background=int(false_bg),
                false_foreground=int(false_fg), wrong_class=int(wrong),
                ignored=int(ignored[cls]))


def most_confused_with(matrix: np.ndarray, ignored: np.ndarray,
                       cls: int) -> Tuple[Optional[int], float]:
    """The other object class that takes most of object class ``cls``'s
    pixels, and its share (percent) of them; ``(None, 0.0)`` when none
    does (and for background)."""
    row = np.array(matrix[cls], np.int64)
    total = row.sum() + int(ignored[cls])
    row[[0, cls]] = 0
    if cls == 0 or not row.any():
        return None, 0.0
    other = int(row.argmax())
    return other, _share(row[other], total)


def analyze_confusion(matrix: np.ndarray, ignored: np.ndarray,
                      class_names: Sequence[str]) -> Dict:
    """Per-class IoU with its error split, and the split of all errors.

    Args:
        matrix: ``(C, C)`` pixel counts, rows ground truth, columns
            prediction (ignored ground-truth pixels already left out).
        ignored: ``(C,)`` pixels of each ground-truth class predicted 255.
        class_names: ``C`` names, background first.

    Returns:
        ``dict(mIoU, errors, per_class)``: ``errors`` gives each kind's
        share (percent) of all wrong or ignored pixels and its count;
        ``per_class[name]`` gives ``IoU`` and each kind's share (percent)
        of that class's IoU denominator (so ``IoU`` plus the shares make
        100), and ``confused_with`` / ``confused_share``: the object class
        most of its wrongly labelled pixels went to, with its share of the
        class's pixels (:func:`most_confused_with`).  Classes absent from
        the ground truth are left out.
    """
    matrix = np.asarray(matrix, np.int64)
    ignored = np.asarray(ignored, np.int64)
    per_class, ious = {}, []
    for cls, name in enumerate(class_names):
        if matrix[cls].sum() + ignored[cls] == 0:
            continue
        split = class_error_split(matrix, ignored, cls)
        denominator = sum(split.values())
        iou = _share(split['true'], denominator)
        ious.append(iou)
        other, other_share = most_confused_with(matrix, ignored, cls)
        per_class[name] = dict(
            IoU=iou, pixels=int(matrix[cls].sum() + ignored[cls]),
            **{kind: _share(split[kind], denominator)
               for kind in ERROR_KINDS},
            confused_with=None if other is None else class_names[other],
            confused_share=other_share)
    counts = dict(
        false_background=int(matrix[1:, 0].sum()),
        false_foreground=int(matrix[0, 1:].sum()),
        wrong_class=int(matrix[1:, 1:].sum() - np.trace(matrix[1:, 1:])),
        ignored=int(ignored.sum()))
    total = sum(counts.values())
    errors = {kind: dict(pixels=counts[kind],
                         share=_share(counts[kind], total))
              for kind in ERROR_KINDS}
    return dict(mIoU=float(np.mean(ious)) if ious else float('nan'),
                errors=errors, per_class=per_class)


def error_table(scores: Dict) -> str:
    """Scores with their error split (``score_label_folder``'s result: a
    top-level share per error kind, and per class ``IoU`` plus the kinds)
    as a Markdown table, one row per class and a last row for all
    errors."""
    rows: List[str] = [
        '| class | IoU | false bg | false fg | wrong class | ignored '
        '| mostly taken for (% of its pixels) |',
        '|---|---|---|---|---|---|---|'
    ]
    for name, row in scores['per_class'].items():
        taken_for = (f'{row["confused_with"]} ({row["confused_share"]:.1f})'
                     if row.get('confused_with')
                     and round(row['confused_share'], 1) > 0 else '')
        rows.append(f'| {name} | {row["IoU"]:.1f} | '
                    + ' | '.join(f'{row[k]:.1f}' for k in ERROR_KINDS)
                    + f' | {taken_for} |')
    rows.append(f'| **share of all errors** | mIoU {scores["mIoU"]:.1f} | '
                + ' | '.join(f'{scores[k]:.1f}' for k in ERROR_KINDS)
                + ' | |')
    return '\n'.join(rows)
