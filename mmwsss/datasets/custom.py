"""A user's own data: a folder of images plus a text file of their tags.

    DATA/
      images/          photo_001.jpg, photo_002.jpg, ...
      labels.txt       photo_001 dog person
                       photo_002 cat
                       photo_003                  (background only)

No mask is needed anywhere.  The class list comes from the labels file
(``background`` first, then every tag used, sorted by name) unless the
config names the classes (``metainfo=dict(classes=(...))``), which fixes
their order, e.g. to match another dataset's.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from mmwsss.registry import DATASETS
from mmwsss.utils.io import image_stem
from .image_label_dataset import ImageLabelSegDataset, read_split, voc_palette

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


def read_labels_file(path: str) -> Dict[str, Tuple[int, List[str]]]:
    """``{image_stem: (line number, [tag, ...])}`` of a labels file.

    One line per image: the image file stem, then the tags it contains
    separated by spaces or commas (``2008_000123 dog person``); an image
    with no tags is background only.  Tags with spaces are written with
    underscores.  Lines starting with ``#`` are comments.  An image listed
    twice is an error naming both lines.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'labels file {path} does not exist')
    entries: Dict[str, Tuple[int, List[str]]] = {}
    with open(path) as handle:
        for line_no, line in enumerate(handle, 1):
            fields = line.replace(',', ' ').split()
            if not fields or fields[0].startswith('#'):
                continue
            stem, tags = fields[0], fields[1:]
            if stem in entries:
                raise ValueError(
                    f'{path}: image {stem!r} is listed twice (lines '
                    f'{entries[stem][0]} and {line_no})')
            entries[stem] = (line_no, tags)
    if not entries:
        raise ValueError(f'labels file {path} lists no images')
    return entries


def classes_from_labels_file(path: str) -> Tuple[str, ...]:
    """``('background', *sorted tags)`` of a labels file."""
    tags = {tag for _, names in read_labels_file(path).values()
            for tag in names}
    tags.discard('background')
    return ('background', ) + tuple(sorted(tags))


def parse_labels_file(path: str, classes: Sequence[str]) -> dict:
    """``{image_stem: [class indices]}`` of a labels file, checked against
    ``classes`` (background first; names with spaces may be written with
    underscores)."""
    index = {name.replace(' ', '_'): i for i, name in enumerate(classes)}
    labels = {}
    for stem, (line_no, names) in read_labels_file(path).items():
        unknown = [n for n in names if n not in index]
        if unknown:
            raise ValueError(
                f'{path}:{line_no}: unknown class {unknown[0]!r} for image '
                f'{stem!r}; known classes: {sorted(index)}')
        labels[stem] = sorted({index[n] for n in names} - {0})
    return labels


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
            formats.
        metainfo: optional ``classes`` (background first); without it the
            classes are read from the labels file.
        ann_file: optional list of image ids (one a line) that restricts
            the images to those it names (e.g. STC's simple images);
            relative to ``data_root``.
        data_prefix: ``img_path`` folder; an optional ``seg_map_path`` is
            for evaluation only (training reads pseudo masks through
            ``pseudo_seg_map_path``).
        img_suffix: image file extension.
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
            **kwargs)

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
        data_list = self._data_list_from_ids(stems)
        if not self.img_suffix:
            files = self._image_files()
            for info, stem in zip(data_list, stems):
                if stem not in files:
                    raise FileNotFoundError(
                        f'{self._labels_path(self.data_root)}: image '
                        f'{stem!r} not found in '
                        f'{self.data_prefix.get("img_path")} (looked for '
                        f'{stem} + one of {IMAGE_SUFFIXES})')
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

    def _image_files(self) -> Dict[str, str]:
        """``{stem: path}`` of the image files in the image folder."""
        folder = self.data_prefix.get('img_path', '')
        if not osp.isdir(folder):
            raise FileNotFoundError(f'image folder {folder} does not exist')
        return {osp.splitext(name)[0]: osp.join(folder, name)
                for name in sorted(os.listdir(folder))
                if name.lower().endswith(IMAGE_SUFFIXES)}

    def load_image_labels(self, data_list: List[dict]) -> List[List[int]]:
        return [self._labels[image_stem(info)] for info in data_list]
