"""A user's own data: an image folder plus a text file of image labels."""
import os.path as osp
from typing import List

from mmseg.registry import DATASETS

from .image_label_dataset import ImageLabelSegDataset


def parse_labels_file(path: str, classes) -> dict:
    """``{image_stem: [class indices]}`` from a labels file.

    One line per image: the image file stem, then the names of the classes it
    contains separated by spaces or commas (``2008_000123 dog person``); an
    image with no names is background-only.  Class names with spaces are
    written with underscores.  Lines starting with ``#`` are comments.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'labels file {path} does not exist')
    index = {name.replace(' ', '_'): i for i, name in enumerate(classes)}
    labels = {}
    with open(path) as handle:
        for line_no, line in enumerate(handle, 1):
            fields = line.replace(',', ' ').split()
            if not fields or fields[0].startswith('#'):
                continue
            stem, names = fields[0], fields[1:]
            unknown = [n for n in names if n not in index]
            if unknown:
                raise ValueError(
                    f'{path}:{line_no}: unknown class {unknown[0]!r} for '
                    f'image {stem!r}; known classes: {sorted(index)}')
            labels[stem] = sorted({index[n] for n in names} - {0})
    if not labels:
        raise ValueError(f'labels file {path} lists no images')
    return labels


@DATASETS.register_module()
class ImageLabelFolderDataset(ImageLabelSegDataset):
    """Images listed in a labels file, with no masks needed.

    Args:
        labels_file: path (relative to ``data_root``) of the labels file
            (format in :func:`parse_labels_file`).  It also acts as the split:
            only the images it lists are used.
        metainfo: must give ``classes`` (background first), as for any MMSeg
            dataset: ``metainfo=dict(classes=('background', 'cat', ...))``.
        data_prefix: ``img_path`` folder; an optional ``seg_map_path`` is
            used by evaluation only.
    """

    def __init__(self,
                 labels_file: str,
                 img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png',
                 **kwargs) -> None:
        self.labels_file = labels_file
        super().__init__(
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            ann_file='',
            **kwargs)

    def load_data_list(self) -> List[dict]:
        path = osp.join(self.data_root or '', self.labels_file)
        labels = parse_labels_file(path, self.metainfo['classes'])
        img_dir = self.data_prefix.get('img_path', '')
        ann_dir = self.data_prefix.get('seg_map_path')
        data_list = []
        for stem, img_labels in labels.items():
            info = dict(
                img_path=osp.join(img_dir, stem + self.img_suffix),
                img_labels=img_labels,
                label_map=self.label_map,
                reduce_zero_label=self.reduce_zero_label,
                seg_fields=[])
            if ann_dir:
                info['seg_map_path'] = osp.join(ann_dir,
                                                stem + self.seg_map_suffix)
            data_list.append(info)
        return data_list
