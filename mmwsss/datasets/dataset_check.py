"""What the training data can teach, checked before any stage runs.

A weakly supervised pipeline learns every class from its image tags alone,
and learns it badly from a handful of images: the classifier's CAMs of a
class seen in one photo fire on whatever that photo holds, the pseudo masks
copy them and the segmentor learns the copy, hours later.  The tags also
betray slips the model cannot: a class with one image one letter away from
a class with fifty (``disk`` beside ``disc``), a class only the held-back
images carry, a class the config names that no image has.  This module
counts the images of every class in the training and held-back datasets
and reports those problems at once, before anything trains.

What is an error and what a warning:

* a class with fewer than ``min_images`` (:data:`MIN_TRAIN_IMAGES`)
  training images, including one only held-back images carry and one no
  image carries: an error (every such class in one message), or a warning
  when rare classes are allowed (``allow_rare``);
* a tag that looks like a typo of another class (:func:`find_typos`): a
  warning, and part of the error when it is rare too;
* training images with no tag (background only), and classes that never
  appear without another (:func:`~mmwsss.utils.labels.classes_never_alone`:
  tags alone cannot separate their pixels): warnings.
"""
import copy
from dataclasses import asdict, dataclass, field
from typing import List, Optional, Sequence, Set, Tuple

from mmwsss.registry import DATASETS
from mmwsss.utils.io import image_stem
from mmwsss.utils.labels import classes_never_alone
from .image_label_dataset import ImageLabelSegDataset

#: Fewest training images a class may have.  Chosen a priori, not tuned:
#: five is the usual "few-shot" budget, below which a class is not a
#: concept but a few photos: its CAMs follow whatever those photos share
#: (often their background), and with every 10th image held back a class
#: of fewer than five images has at most one image to validate on.
MIN_TRAIN_IMAGES = 5
#: A tag is a suspected typo of another class when it is one edit apart
#: (Levenshtein distance 1, ignoring case) and "rare" beside it: its
#: images (training and held back) number at most this share of the other
#: class's.  A slip is made on few lines, so a tag ten times rarer than its
#: near-namesake is suspect; two real classes one letter apart (``cat``,
#: ``car``) seldom differ that much, and only get a warning when they do.
TYPO_MAX_SHARE = 0.1
#: How many untagged images a warning names.
UNTAGGED_EXAMPLES = 5
#: Dataset keys that point at outputs of earlier stages: the check reads
#: tags only, and runs before those folders exist.
STAGE_OUTPUT_KEYS = ('pseudo_seg_map_path', 'saliency_map_path',
                     'soft_map_path', 'proposal_path')


@dataclass
class ClassCount:
    """Images of one foreground class in each split."""
    name: str
    train: int
    held: int


@dataclass
class DatasetReport:
    """The images of every class and what is wrong with them.

    ``classes`` holds the foreground classes in index order; ``errors``
    the problems that stop training (:func:`check_training_data` raises
    them), which are ``warnings`` instead when rare classes were allowed
    (``rare_allowed``).  :meth:`to_dict` is JSON-able, for a stage
    marker.
    """
    classes: List[ClassCount]
    train_source: str
    held_source: Optional[str]
    num_train: int
    num_held: int
    min_images: int
    rare_allowed: bool = False
    untagged: int = 0
    untagged_examples: List[str] = field(default_factory=list)
    typos: List[dict] = field(default_factory=list)
    never_alone: List[dict] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)

    def lines(self) -> List[str]:
        """Human-readable lines: the sources, the per-class table, then
        the warnings and errors."""
        held = (f'{self.num_held} ({self.held_source})'
                if self.held_source else 'none')
        width = max([len(c.name) for c in self.classes] + [5])
        lines = [f'training images: {self.num_train} ({self.train_source})',
                 f'held-back images: {held}',
                 f'  {"class":<{width}}  train   held']
        lines += [f'  {c.name:<{width}}  {c.train:>5}  {c.held:>5}'
                  for c in self.classes]
        lines += [f'warning: {text}' for text in self.warnings]
        lines += [f'error: {text}' for text in self.errors]
        return lines

    def format(self) -> str:
        return '\n'.join(self.lines())

    def to_dict(self) -> dict:
        return asdict(self)


def check_training_data(train_dataset: ImageLabelSegDataset,
                        held_dataset: Optional[ImageLabelSegDataset] = None,
                        *,
                        min_images: int = MIN_TRAIN_IMAGES,
                        allow_rare: bool = False) -> DatasetReport:
    """Count the images of every class and report the problems above.

    Args:
        train_dataset: the images the classifier trains on (an mmwsss
            dataset, or MMEngine's wrappers of some).
        held_dataset: the held-back (val) images, with the same classes.
        min_images: fewest training images a class may have.
        allow_rare: report rare classes as warnings instead of errors.

    Returns:
        The report (log its :meth:`~DatasetReport.format`).

    Raises:
        ValueError: every error in one message, unless ``allow_rare`` (a
            class list that differs between the datasets always raises).
    """
    classes = _classes(train_dataset)
    if held_dataset is not None and _classes(held_dataset) != classes:
        raise ValueError(
            f'{_source(held_dataset)}: the held-back images have classes '
            f'{list(_classes(held_dataset))}, the training images '
            f'{list(classes)} ({_source(train_dataset)})')
    train = _image_labels(train_dataset)
    held = _image_labels(held_dataset) if held_dataset is not None else []
    report = DatasetReport(
        classes=_class_counts(classes, train, held),
        train_source=_source(train_dataset),
        held_source=(_source(held_dataset)
                     if held_dataset is not None else None),
        num_train=len(train), num_held=len(held), min_images=min_images,
        rare_allowed=allow_rare)
    report.typos = find_typos(report.classes)
    rare = _rare_classes(report, min_images)
    (report.warnings if allow_rare else report.errors).extend(rare)
    report.warnings += [_typo_warning(t) for t in report.typos]
    _note_untagged(report, train)
    _note_never_alone(report, classes, train, _decided_by_masks(train_dataset))
    if report.errors:
        raise ValueError(_error_message(report))
    return report


def check_dataset_configs(cfg_train_dataset: dict,
                          cfg_val_dataset: Optional[dict] = None,
                          *,
                          min_images: int = MIN_TRAIN_IMAGES,
                          allow_rare: bool = False) -> DatasetReport:
    """:func:`check_training_data` of two dataset configs (a
    dataloader's ``dataset``), built without their pipelines and without
    the folders earlier stages will make (:data:`STAGE_OUTPUT_KEYS`).

    The caller has set MMSeg's default scope and imported mmwsss.
    """
    train = DATASETS.build(tags_only(cfg_train_dataset))
    held = (DATASETS.build(tags_only(cfg_val_dataset))
            if cfg_val_dataset else None)
    return check_training_data(train, held, min_images=min_images,
                               allow_rare=allow_rare)


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one insertion, deletion or
    substitution (Levenshtein distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:]
    return a[i:] == b[i + 1:]


def find_typos(counts: Sequence[ClassCount],
               max_share: float = TYPO_MAX_SHARE) -> List[dict]:
    """Classes that look like a slip for another (:data:`TYPO_MAX_SHARE`):
    ``dict(tag, images, like, like_images)`` each."""
    total = {c.name: c.train + c.held for c in counts}
    typos = []
    for tag, images in total.items():
        for like, like_images in total.items():
            if (images and images <= max_share * like_images
                    and one_edit_apart(_folded(tag), _folded(like))):
                typos.append(dict(tag=tag, images=images, like=like,
                                  like_images=like_images))
    return typos


# ----------------------------------------------------------------- helpers
def _folded(name: str) -> str:
    """A class name as a tag compares: case and space/underscore aside."""
    return name.replace(' ', '_').lower()


def _parts(dataset) -> List[ImageLabelSegDataset]:
    """The mmwsss datasets behind MMEngine's wrappers (Concat, Repeat,
    ClassBalanced): their images are counted once each."""
    if isinstance(dataset, ImageLabelSegDataset):
        return [dataset]
    if hasattr(dataset, 'datasets'):
        return [part for d in dataset.datasets for part in _parts(d)]
    if hasattr(dataset, 'dataset'):
        return _parts(dataset.dataset)
    raise TypeError(
        f'{type(dataset).__name__} is not an mmwsss dataset: the data '
        'check needs image labels (an ImageLabelSegDataset)')


def _classes(dataset) -> Tuple[str, ...]:
    found = {tuple(part.metainfo['classes']) for part in _parts(dataset)}
    if len(found) > 1:
        raise ValueError(f'{_source(dataset)}: the datasets of a '
                         f'{type(dataset).__name__} have different classes: '
                         f'{sorted(found)}')
    return found.pop()


def _image_labels(dataset) -> List[Tuple[str, List[int]]]:
    """``(image stem, labels)`` of every image of ``dataset``."""
    pairs = []
    for part in _parts(dataset):
        part.full_init()
        for i in range(len(part)):
            info = part.get_data_info(i)
            pairs.append((image_stem(info), list(info['img_labels'])))
    return pairs


def _source(dataset) -> str:
    """The file that lists a dataset's images (its labels file, split
    file or image folder), for messages."""
    names = []
    for part in _parts(dataset):
        if getattr(part, 'labels_file', None):
            names.append(part._labels_path(part.data_root))
        else:
            names.append(part.ann_file or part.data_prefix.get('img_path'))
        if getattr(part, 'subset_file', None):
            names[-1] += f' (subset {part.subset_file})'
    return ' + '.join(str(name) for name in names)


def _class_counts(classes: Sequence[str],
                  train: List[Tuple[str, List[int]]],
                  held: List[Tuple[str, List[int]]]) -> List[ClassCount]:
    def count(pairs):
        counts = [0] * len(classes)
        for _, labels in pairs:
            for label in set(labels):
                counts[label] += 1
        return counts

    train_counts, held_counts = count(train), count(held)
    return [ClassCount(classes[c], train_counts[c], held_counts[c])
            for c in range(1, len(classes))]


def _rare_classes(report: DatasetReport, min_images: int) -> List[str]:
    """One line per class with fewer than ``min_images`` training images,
    saying why (no image at all, held-back images only, too few)."""
    typo_of = {t['tag']: t for t in report.typos}
    problems = []
    for c in report.classes:
        if c.train >= min_images:
            continue
        if not c.train and not c.held:
            why = 'no image carries it (only the class list names it)'
        elif not c.train:
            why = (f'0 training images: only held-back images carry it '
                   f'({c.held})')
        else:
            why = (f'{c.train} training image{"s" * (c.train > 1)}, fewer '
                   f'than {min_images}')
        if c.name in typo_of:
            why += f'; {_typo_hint(typo_of[c.name])}'
        problems.append(f'class {c.name!r}: {why}')
    return problems


def _typo_hint(typo: dict) -> str:
    return (f'one edit from {typo["like"]!r} ({typo["like_images"]} '
            'images): a typo?')


def _typo_warning(typo: dict) -> str:
    return (f'tag {typo["tag"]!r} ({typo["images"]} image'
            f'{"s" * (typo["images"] > 1)}) is {_typo_hint(typo)}')


def _note_untagged(report: DatasetReport,
                   train: List[Tuple[str, List[int]]]) -> None:
    """Training images without a tag teach only "nothing here": right
    for true background photos, wrong for a forgotten line of tags."""
    stems = [stem for stem, labels in train if not labels]
    report.untagged = len(stems)
    report.untagged_examples = stems[:UNTAGGED_EXAMPLES]
    if stems:
        report.warnings.append(
            f'{len(stems)} of {len(train)} training images carry no tag '
            f'(background only), e.g. {", ".join(report.untagged_examples)}'
            ': check their tags were not forgotten')


def _decided_by_masks(dataset) -> Set[int]:
    """Classes whose split from their companions a pixel-labelled subset
    decides (:func:`~mmwsss.utils.labels.inseparable_class_groups`)."""
    return {c for part in _parts(dataset)
            for group in part.inseparable_groups for c in group}


def _note_never_alone(report: DatasetReport, classes: Sequence[str],
                      train: List[Tuple[str, List[int]]],
                      decided: Set[int]) -> None:
    for label, companions, count in classes_never_alone(
            labels for _, labels in train):
        others = [classes[c] for c in companions]
        by_masks = label in decided
        report.never_alone.append(dict(cls=classes[label],
                                       always_with=others, images=count,
                                       decided_by_masks=by_masks))
        fix = ('the pixel-labelled images\' masks decide between them (the '
               'other images train those pixels on the set of classes)'
               if by_masks else 'so the masks may swap them (add images '
               'where they appear apart, or pixel masks of a few)')
        report.warnings.append(
            f'every one of the {count} training images tagged '
            f'{classes[label]!r} is also tagged '
            f'{", ".join(map(repr, others))}: tags alone cannot tell their '
            f'pixels apart; {fix}')


def _error_message(report: DatasetReport) -> str:
    held = f', held back: {report.held_source}' if report.held_source else ''
    return (f'training data check failed (training images: '
            f'{report.train_source}{held}):\n' +
            ''.join(f'  - {text}\n' for text in report.errors) +
            f'A class is learnt from tags only with at least '
            f'{report.min_images} training images: fix typos, tag more '
            'images or drop the class; to train anyway, allow rare classes '
            '(allow_rare=True, tools/train.py --allow-rare).')


def tags_only(cfg: dict) -> dict:
    """A dataset config that reads images and tags only: no pipeline, no
    lazy init, no stage outputs (recursively through wrappers)."""
    cfg = copy.deepcopy(cfg)
    if isinstance(cfg.get('dataset'), dict):
        cfg['dataset'] = tags_only(cfg['dataset'])
    elif cfg.get('datasets'):
        cfg['datasets'] = [tags_only(part) for part in cfg['datasets']]
    else:
        cfg['pipeline'] = []
        cfg['lazy_init'] = False
        for key in STAGE_OUTPUT_KEYS:
            cfg.pop(key, None)
    return cfg
