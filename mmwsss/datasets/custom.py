"""A user's own data: a folder of images plus a text file of their tags.

    DATA/
      images/          photo_001.jpg, photo_002.jpg, ...
      labels.txt       photo_001 dog person
                       photo_002 cat
                       photo_003                  (background only)

No mask is needed anywhere.  The class list comes from the labels file
(``background`` first, then every tag used, sorted by name) unless the
config names the classes (``metainfo=dict(classes=(...))``), which fixes
their order, e.g. to match another dataset's.  The file is read strictly
(:func:`read_labels_file`): UTF-8, ``#`` comments, one spelling per tag;
whatever it cannot read unambiguously is an error naming the line, never
a class made up from a typo or a comment.
"""
import io
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

from mmwsss.registry import DATASETS
from mmwsss.utils.io import image_stem
from .image_label_dataset import ImageLabelSegDataset, read_split, voc_palette

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
#: the folder of true masks that ``pixel_labels='auto'`` looks for
MASKS_FOLDER = 'masks'


def read_labels_file(path: str) -> Dict[str, Tuple[int, List[str]]]:
    """``{image_stem: (line number, [tag, ...])}`` of a labels file.

    One line per image: the image file stem, then the tags it contains
    separated by spaces or commas (``2008_000123 dog person``); an image
    with no tags is background only.  Tags with spaces are written with
    underscores.  ``#`` starts a comment anywhere on a line (so neither
    stems nor tags may hold one).  The file must be UTF-8 (a leading BOM,
    as Windows editors write, is dropped).  An image listed twice, and one
    tag spelled in two cases (``Disc`` and ``disc``: one class or two?),
    are errors naming both lines.
    """
    entries: Dict[str, Tuple[int, List[str]]] = {}
    lines = io.StringIO(_labels_text(path), newline=None)
    for line_no, line in enumerate(lines, 1):
        fields = line.split('#', 1)[0].replace(',', ' ').split()
        if not fields:
            continue
        stem, tags = fields[0], fields[1:]
        if stem in entries:
            raise ValueError(
                f'{path}: image {stem!r} is listed twice (lines '
                f'{entries[stem][0]} and {line_no})')
        entries[stem] = (line_no, tags)
    if not entries:
        raise ValueError(f'labels file {path} lists no images')
    _check_tag_case(path, entries)
    return entries


def _labels_text(path: str) -> str:
    """The text of a labels file; bytes that are not UTF-8 (a file saved
    as cp1252 or latin-1) are an error naming the line, not a traceback."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'labels file {path} does not exist')
    with open(path, 'rb') as handle:
        data = handle.read()
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError as err:
        line_no = data[:err.start].count(b'\n') + 1
        raise ValueError(
            f'{path}:{line_no}: byte 0x{data[err.start]:02x} is not UTF-8; '
            'the labels file must be UTF-8 (re-save it as UTF-8)') from None


def _check_tag_case(path: str,
                    entries: Dict[str, Tuple[int, List[str]]]) -> None:
    """Tags that differ only in case would silently become two classes
    (or, matched to a class list, one): refuse them, naming both lines.
    ``background`` in any case is no class (dropped), so it may vary."""
    seen: Dict[str, Tuple[str, int]] = {'background': ('background', 0)}
    for line_no, tags in entries.values():
        for tag in tags:
            if tag.lower() == 'background':
                continue
            first, first_line = seen.setdefault(tag.lower(), (tag, line_no))
            if first != tag:
                raise ValueError(
                    f'{path}: tag {first!r} (line {first_line}) and '
                    f'{tag!r} (line {line_no}) differ only in case; spell '
                    'the class one way')


def classes_from_labels_file(path: str) -> Tuple[str, ...]:
    """``('background', *sorted tags)`` of a labels file; a file whose
    images carry no tag at all is an error (there would be no class to
    learn, and the model would fail later on ``num_classes``)."""
    tags = {tag for _, names in read_labels_file(path).values()
            for tag in names if tag.lower() != 'background'}
    if not tags:
        raise ValueError(f'{path}: no image carries a tag: there is no '
                         'class to learn')
    return ('background', ) + tuple(sorted(tags))


def parse_labels_file(path: str, classes: Sequence[str]) -> dict:
    """``{image_stem: [class indices]}`` of a labels file, checked against
    ``classes`` (background first; names with spaces may be written with
    underscores).  A tag matches its class exactly or, failing that,
    ignoring case when exactly one class fits (``Dog`` for ``dog``)."""
    lookup = _class_lookup(path, classes)
    labels = {}
    for stem, (line_no, names) in read_labels_file(path).items():
        found = {lookup(name, f'{path}:{line_no}', stem) for name in names}
        labels[stem] = sorted(found - {0})
    return labels


def _class_lookup(path: str, classes: Sequence[str]):
    """``lookup(tag, where, stem) -> class index`` for ``classes``;
    unknown tags and tags that match several classes but none exactly are
    errors (``where``: ``file:line``)."""
    index = {name.replace(' ', '_'): i for i, name in enumerate(classes)}
    folded: Dict[str, List[str]] = {}
    for name in index:
        folded.setdefault(name.lower(), []).append(name)

    def lookup(tag: str, where: str, stem: str) -> int:
        if tag in index:
            return index[tag]
        matches = folded.get(tag.lower(), [])
        if len(matches) > 1:
            raise ValueError(
                f'{where}: tag {tag!r} of image {stem!r} matches classes '
                f'{matches} that differ only in case; write the exact '
                'class name')
        if not matches:
            raise ValueError(
                f'{where}: unknown class {tag!r} for image {stem!r}; known '
                f'classes: {sorted(index)}')
        return index[matches[0]]

    return lookup


def _files_by_stem(folder: str) -> Dict[str, List[str]]:
    """``{stem: [file names]}`` of the images in ``folder``."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'image folder {folder} does not exist')
    found: Dict[str, List[str]] = {}
    for name in sorted(os.listdir(folder)):
        if name.lower().endswith(IMAGE_SUFFIXES):
            found.setdefault(osp.splitext(name)[0], []).append(name)
    return found


@DATASETS.register_module()
class ImageLabelFolderDataset(ImageLabelSegDataset):
    """Images listed in a labels file, with no masks needed.

    Args:
        labels_file: path (relative to ``data_root``) of the labels file
            (format in :func:`read_labels_file`).  Only the images it lists
            are used.
        split: ``'all'`` the images of the labels file; ``'val'`` every
            ``val_every``-th of them in file order (the 10th, 20th, ...; the
            last one when there are fewer), held back to validate on image
            labels where there is no mask; ``'train'`` the others.
        val_every: one image in this many is held back for ``'val'``.
        img_suffix: the images' extension; ``None`` finds each image by its
            stem (``.jpg``, ``.jpeg``, ``.png``, ...), so a folder may mix
            formats (but a listed image with two files, ``x.jpg`` beside
            ``x.png``, is an error).
        metainfo: optional ``classes`` (background first); without it the
            classes are read from the labels file.
        ann_file: optional list of image ids (one a line) that restricts
            the images to those it names (e.g. STC's simple images);
            relative to ``data_root``.
        data_prefix: ``img_path`` folder; an optional ``seg_map_path`` is
            for evaluation only (training reads pseudo masks through
            ``pseudo_seg_map_path``).
        pixel_labels: the images with true masks (see
            :class:`ImageLabelSegDataset`).  ``'auto'`` (the default) uses
            ``masks/`` beside ``images/`` when that folder exists:
            ``masks/<stem>.png`` for some stems of the labels file and
            ``masks/classes.txt`` naming each mask value's class, one a
            line from value 0 (background); 255 is ignored.  ``None``
            ignores such a folder.  A mask must agree with its image's
            tags (the same classes) and size.
    """

    def __init__(self,
                 labels_file: str = 'labels.txt',
                 split: str = 'all',
                 val_every: int = 10,
                 img_suffix: Optional[str] = None,
                 seg_map_suffix: str = '.png',
                 metainfo: Optional[dict] = None,
                 data_root: Optional[str] = None,
                 ann_file: Optional[str] = None,
                 pixel_labels: Union[str, dict, None] = 'auto',
                 **kwargs) -> None:
        if split not in ('all', 'train', 'val'):
            raise ValueError(f'split must be all, train or val, got {split!r}')
        self.labels_file = labels_file
        self.subset_file = ann_file
        self.split, self.val_every = split, val_every
        metainfo = dict(metainfo or {})
        if 'classes' not in metainfo:
            metainfo['classes'] = classes_from_labels_file(
                self._labels_path(data_root))
        metainfo.setdefault('palette', voc_palette(len(metainfo['classes'])))
        super().__init__(
            img_suffix=img_suffix or '',
            seg_map_suffix=seg_map_suffix,
            ann_file='',
            metainfo=metainfo,
            data_root=data_root,
            pixel_labels=self._auto_pixel_labels(pixel_labels, data_root),
            **kwargs)

    @staticmethod
    def _auto_pixel_labels(pixel_labels: Union[str, dict, None],
                           data_root: Optional[str]) -> Optional[dict]:
        """``'auto'``: the ``masks/`` folder when there is one; a config
        cannot know whether a user's folder has masks."""
        if pixel_labels != 'auto':
            return pixel_labels
        if osp.isdir(osp.join(data_root or '', MASKS_FOLDER)):
            return dict(folder=MASKS_FOLDER)
        return None

    def _labels_path(self, data_root: Optional[str]) -> str:
        return osp.join(data_root or '', self.labels_file)

    def list_images(self) -> List[dict]:
        labels = parse_labels_file(self._labels_path(self.data_root),
                                   self.metainfo['classes'])
        stems = list(labels)
        held = set(stems[self.val_every - 1::self.val_every] or stems[-1:])
        if self.split != 'all':
            stems = [s for s in stems if (s in held) == (self.split == 'val')]
        if self.subset_file:
            stems = self._subset(stems)
        self._labels = {stem: labels[stem] for stem in stems}
        self._all_stems = set(labels)
        data_list = self._data_list_from_ids(stems)
        if not self.img_suffix:
            files = self._image_files(stems)
            for info, stem in zip(data_list, stems):
                info['img_path'] = files[stem]
        return data_list

    def _subset(self, stems: List[str]) -> List[str]:
        """The images of ``stems`` that ``ann_file`` lists (e.g. STC's
        simple images), in labels-file order; an id the labels file does
        not hold is an error naming both files."""
        path = self.subset_file
        if not osp.isabs(path):
            path = osp.join(self.data_root or '', path)
        wanted = read_split(path)
        unknown = sorted(set(wanted) - set(stems))
        if unknown:
            raise ValueError(
                f'{path}: {len(unknown)} image ids are not images of '
                f'{self._labels_path(self.data_root)} (split '
                f'{self.split!r}), e.g. {unknown[:3]}')
        wanted = set(wanted)
        return [stem for stem in stems if stem in wanted]

    def _image_files(self, stems: Sequence[str]) -> Dict[str, str]:
        """``{stem: path}`` of the images ``stems`` in the image folder,
        whatever their format.  A listed stem with no file, or with two
        (``x.jpg`` beside ``x.png``: which one did the tags describe?), is
        an error; files the labels file does not list are never looked
        at, so they may share stems freely."""
        folder = self.data_prefix.get('img_path', '')
        found = _files_by_stem(folder)
        labels_path = self._labels_path(self.data_root)
        for stem in stems:
            if stem not in found:
                raise FileNotFoundError(
                    f'{labels_path}: image {stem!r} not found in {folder} '
                    f'(looked for {stem} + one of {IMAGE_SUFFIXES})')
        clashes = [stem for stem in stems if len(found[stem]) > 1]
        if clashes:
            more = (f' (and {len(clashes) - 1} more listed images with '
                    'several files)' if len(clashes) > 1 else '')
            raise ValueError(
                f'{labels_path}: image {clashes[0]!r} has several files in '
                f'{folder}: {" and ".join(found[clashes[0]])}{more}; keep '
                'one file per image (rename the others and list them '
                'under their own names)')
        return {stem: osp.join(folder, found[stem][0]) for stem in stems}

    def load_image_labels(self, data_list: List[dict]) -> List[List[int]]:
        return [self._labels[image_stem(info)] for info in data_list]

    def _known_image_ids(self, data_list: List[dict]) -> Set[str]:
        """Every stem of the labels file: a mask of a held-back image
        belongs to the other split, not to a typo."""
        return self._all_stems

    def _images_source(self) -> str:
        return self._labels_path(self.data_root)
