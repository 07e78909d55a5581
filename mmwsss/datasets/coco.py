"""MS-COCO 2014 for WSSS: 80 object classes + background (81 in all).

Masks are VOC-style palette PNGs whose value is the contiguous class index
(1..80), as produced by the usual COCO-WSSS conversion; image-level labels
come from the instance annotation JSON, so training never opens a mask.
"""
import json
import os.path as osp
from collections import defaultdict
from typing import Dict, List

from mmwsss.registry import DATASETS
from .image_label_dataset import ImageLabelSegDataset, voc_palette

COCO_CLASSES = (
    'background', 'person', 'bicycle', 'car', 'motorcycle', 'airplane',
    'bus', 'train', 'truck', 'boat', 'traffic light', 'fire hydrant',
    'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse',
    'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack',
    'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard',
    'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard',
    'surfboard', 'tennis racket', 'bottle', 'wine glass', 'cup', 'fork',
    'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
    'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair',
    'couch', 'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop',
    'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
    'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors',
    'teddy bear', 'hair drier', 'toothbrush')


@DATASETS.register_module()
class COCOWSSSDataset(ImageLabelSegDataset):
    """COCO 2014 with image-level labels from ``instances_*.json``.

    Layout (``data_root`` = ``coco``): ``JPEGImages/{train2014,val2014}/``,
    ``SegmentationClass/{train2014,val2014}/``, ``annotations/``,
    ``ImageSets/{train,val}.txt`` (image file stems).

    Args:
        instance_file: instance JSON relative to ``data_root``; ``None``
            derives labels from the masks instead.
    """
    METAINFO = dict(classes=COCO_CLASSES, palette=voc_palette(81))

    def __init__(self,
                 instance_file: str = None,
                 img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png',
                 **kwargs) -> None:
        self.instance_file = instance_file
        super().__init__(
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)

    def load_image_labels(self, data_list: List[dict]) -> List[List[int]]:
        if self.instance_file is None:
            return super().load_image_labels(data_list)
        path = osp.join(self.data_root or '', self.instance_file)
        by_name = self._labels_by_file_name(path)
        return [
            by_name.get(osp.basename(info['img_path']), [])
            for info in data_list
        ]

    def _labels_by_file_name(self, path: str) -> Dict[str, List[int]]:
        if not osp.isfile(path):
            raise FileNotFoundError(f'instance annotation file {path} not '
                                    'found')
        try:
            with open(path) as handle:
                coco = json.load(handle)
            categories = sorted(coco['categories'], key=lambda c: c['id'])
            images = {img['id']: img['file_name'] for img in coco['images']}
            annotations = coco['annotations']
        except (json.JSONDecodeError, KeyError) as exc:
            raise ValueError(f'{path}: not a COCO instance file ({exc})') \
                from exc
        index = {name: i for i, name in enumerate(self.metainfo['classes'])}
        cat_to_label = {}
        for cat in categories:
            if cat['name'] not in index:
                raise ValueError(
                    f'{path}: unknown category name {cat["name"]!r}')
            cat_to_label[cat['id']] = index[cat['name']]
        labels = defaultdict(set)
        for ann in annotations:
            try:
                labels[images[ann['image_id']]].add(
                    cat_to_label[ann['category_id']])
            except KeyError as exc:
                raise ValueError(
                    f'{path}: annotation {ann.get("id")} refers to unknown '
                    f'image or category {exc}') from None
        return {name: sorted(found) for name, found in labels.items()}
