"""MSRC-17: 16 object classes of MSRC-v2 + background, VOC layout."""
from mmwsss.registry import DATASETS
from .image_label_dataset import ImageLabelSegDataset, voc_palette

MSRC17_CLASSES = ('background', 'cow', 'horse', 'sheep', 'aeroplane', 'face',
                  'car', 'bicycle', 'flower', 'sign', 'bird', 'book',
                  'chair', 'cat', 'dog', 'body', 'boat')


@DATASETS.register_module()
class MSRC17Dataset(ImageLabelSegDataset):
    """MSRC-17 (``JPEGImages/``, ``SegmentationClass/``,
    ``ImageSets/Segmentation/{train,val}.txt``).  Image-level labels are
    derived from the masks, as the dataset's README prescribes."""
    METAINFO = dict(classes=MSRC17_CLASSES, palette=voc_palette(17))

    def __init__(self,
                 img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png',
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)
