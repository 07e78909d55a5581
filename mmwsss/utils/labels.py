"""Image-level label conventions.

Throughout mmwsss an image's labels are the sorted foreground class indices
in the *segmentation* index space (the values its mask would hold): with
VOC, ``[15]`` means "person".  Background (0) is implicit and never listed.
Classifiers predict the ``num_classes - 1`` foreground classes, so class
``c`` is output channel ``c - 1``.
"""
from typing import Dict, Iterable, List, Sequence, Set, Tuple

import torch


def labels_to_multi_hot(batch_labels: Sequence[Sequence[int]],
                        num_classes: int,
                        device=None) -> torch.Tensor:
    """``(B, num_classes - 1)`` float targets from per-image label lists."""
    target = torch.zeros(len(batch_labels), num_classes - 1, device=device)
    for row, labels in enumerate(batch_labels):
        for label in labels:
            if not 1 <= int(label) < num_classes:
                raise ValueError(
                    f'image label {label} is outside the foreground range '
                    f'[1, {num_classes - 1}]')
            target[row, int(label) - 1] = 1.0
    return target


def sample_labels(data_samples) -> List[List[int]]:
    """Image-level labels of a batch of data samples (packed by
    ``PackWSSSInputs`` from an mmwsss dataset)."""
    try:
        return [list(s.metainfo['img_labels']) for s in data_samples]
    except KeyError:
        raise KeyError('data samples carry no img_labels: training needs an '
                       'mmwsss dataset (image-level labels) and '
                       'PackWSSSInputs in its pipeline') from None


def classes_never_alone(image_labels: Iterable[Sequence[int]]
                        ) -> List[Tuple[int, List[int], int]]:
    """Classes that image-level labels cannot tell apart from another.

    When every image tagged ``c`` is also tagged ``d`` (MSRC-17: all 29
    training images with a face also show a body), the tags say nothing
    about which pixels are ``c`` and which ``d``: the classifier can learn
    both from the same evidence, and the pseudo masks may swap them.
    Only more varied images (``c`` without ``d``) or pixel labels fix that,
    so the pipeline warns instead of guessing.

    Returns:
        ``(c, companions, count)`` for each class ``c`` whose every image
        (``count`` of them) also carries each class in ``companions``.
    """
    images: Dict[int, int] = {}
    together: Dict[int, Set[int]] = {}
    for labels in image_labels:
        present = {int(label) for label in labels}
        for label in present:
            images[label] = images.get(label, 0) + 1
            together[label] = (together[label] & present
                               if label in together else set(present))
    return [(label, sorted(together[label] - {label}), images[label])
            for label in sorted(images) if together[label] - {label}]


def inseparable_class_groups(image_labels: Iterable[Sequence[int]],
                             evidence_labels: Iterable[Sequence[int]]
                             ) -> List[List[int]]:
    """Groups of classes that the tags cannot split but true masks can.

    A class ``c`` that never appears without ``d``
    (:func:`classes_never_alone`) shares all its tag evidence with ``d``,
    so a mask made from tags divides the pixels of ``c`` and ``d`` by
    chance.  Where some image with a true mask (``evidence_labels``, the
    labels of a pixel-labelled subset) shows ``c``, its mask does say
    which pixels are which: ``c`` and ``d`` then form a group, and
    training should let the true masks alone decide between the group's
    classes (:func:`mmwsss.models.losses.candidate_set_loss`).  Pairs are
    merged transitively.

    Returns:
        Sorted groups (each sorted, two classes or more).
    """
    shown = {int(c) for labels in evidence_labels for c in labels}
    parent: Dict[int, int] = {}

    def root(c: int) -> int:
        while parent.setdefault(c, c) != c:
            c = parent[c]
        return c

    for label, companions, _ in classes_never_alone(image_labels):
        if label in shown:
            for other in companions:
                parent[root(label)] = root(other)
    groups: Dict[int, List[int]] = {}
    for c in parent:
        groups.setdefault(root(c), []).append(c)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def image_candidate_sets(labels: Sequence[int],
                         groups: Sequence[Sequence[int]]) -> List[List[int]]:
    """The parts of ``groups`` an image tagged ``labels`` shows (two
    classes or more each): the class sets its tag-made mask cannot split."""
    present = {int(c) for c in labels}
    sets = [sorted(present & {int(c) for c in g}) for g in groups]
    return [s for s in sets if len(s) > 1]
