"""PASCAL VOC 2012 for WSSS (train_aug 10,582 / val 1,449 images)."""
import os.path as osp
import xml.etree.ElementTree as ET
from typing import List

from mmwsss.registry import DATASETS
from .image_label_dataset import ImageLabelSegDataset

VOC_CLASSES = ('background', 'aeroplane', 'bicycle', 'bird', 'boat',
               'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'diningtable',
               'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep',
               'sofa', 'train', 'tvmonitor')
VOC_PALETTE = [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0],
               [0, 0, 128], [128, 0, 128], [0, 128, 128], [128, 128, 128],
               [64, 0, 0], [192, 0, 0], [64, 128, 0], [192, 128, 0],
               [64, 0, 128], [192, 0, 128], [64, 128, 128], [192, 128, 128],
               [0, 64, 0], [128, 64, 0], [0, 192, 0], [128, 192, 0],
               [0, 64, 128]]


@DATASETS.register_module()
class VOCWSSSDataset(ImageLabelSegDataset):
    """VOC 2012 with image-level labels.

    Layout (``data_root`` = ``VOCdevkit/VOC2012``): ``JPEGImages/``,
    ``SegmentationClassAug/`` (the SBD-augmented masks), ``Annotations/``
    and ``ImageSets/Segmentation/{train_aug,val}.txt``.

    Args:
        label_source: ``'masks'`` derives labels from the masks (as the
            cls_labels files of PSA/IRN), ``'xml'`` reads the object names in
            ``Annotations/<id>.xml`` (needs no masks at all).
        xml_dir: folder of the XML files, relative to ``data_root``.
    """
    METAINFO = dict(classes=VOC_CLASSES, palette=VOC_PALETTE)

    def __init__(self,
                 label_source: str = 'masks',
                 xml_dir: str = 'Annotations',
                 img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png',
                 **kwargs) -> None:
        if label_source not in ('masks', 'xml'):
            raise ValueError(f'label_source must be "masks" or "xml", got '
                             f'{label_source!r}')
        self.label_source = label_source
        self.xml_dir = xml_dir
        super().__init__(
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)

    def load_image_labels(self, data_list: List[dict]) -> List[List[int]]:
        if self.label_source == 'masks':
            return super().load_image_labels(data_list)
        xml_root = osp.join(self.data_root or '', self.xml_dir)
        paths = [
            osp.join(xml_root,
                     osp.splitext(osp.basename(info['img_path']))[0] + '.xml')
            for info in data_list
        ]
        return self._cached(paths, self._labels_from_xml)

    def _labels_from_xml(self, paths) -> List[List[int]]:
        index = {name: i for i, name in enumerate(self.metainfo['classes'])}
        all_labels = []
        for path in paths:
            if not osp.isfile(path):
                raise FileNotFoundError(f'annotation file {path} not found')
            try:
                names = [
                    obj.findtext('name', '').strip()
                    for obj in ET.parse(path).getroot().iter('object')
                ]
            except ET.ParseError as exc:
                raise ValueError(f'{path}: malformed XML ({exc})') from exc
            unknown = sorted(set(names) - set(index))
            if unknown:
                raise ValueError(f'{path}: unknown class names {unknown}')
            all_labels.append(sorted({index[n] for n in names} - {0}))
        return all_labels
