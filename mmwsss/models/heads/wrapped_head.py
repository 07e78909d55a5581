"""The base of the heads that wrap any MMSeg decode head (PSL's
classification branch, STC's soft targets): one place forwards what
MMSeg's ``EncoderDecoder`` reads from its decode head to the wrapped one."""
from typing import List

import torch
from mmengine.model import BaseModule
from mmseg.utils import ConfigType

from mmwsss.registry import MODELS

#: what a model built from an own-data template without its class count
#: is told (the count comes from the labels file)
OPEN_NUM_CLASSES = (
    'num_classes=None: the number of classes comes from the labels file '
    "or a checkpoint; mmwsss's tools, runner_type='WSSSRunner' and MMSeg's "
    'init_model / MMSegInferencer (through the start-up hook of '
    "pip install) fill it in; for MMSeg's tools/test.py use the config "
    'saved beside the checkpoint, or set the head\'s num_classes')


class WrappedDecodeHead(BaseModule):
    """An MMSeg decode head (``seg_head``, built here) seen through a
    wrapper: its segmentation logits and the properties MMSeg reads
    (``num_classes``, ``out_channels``, ``align_corners``, ``threshold``,
    ``ignore_index``) are the wrapped head's, so the wrapper drops into
    every MMSeg segmentor.

    Args:
        seg_head: config of the wrapped MMSeg decode head.
    """

    def __init__(self, seg_head: ConfigType, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if seg_head.get('num_classes', 0) is None:
            raise ValueError(OPEN_NUM_CLASSES)
        self.seg_head = MODELS.build(seg_head)

    @property
    def num_classes(self) -> int:
        return self.seg_head.num_classes

    @property
    def out_channels(self) -> int:
        return self.seg_head.out_channels

    @property
    def align_corners(self) -> bool:
        return self.seg_head.align_corners

    @property
    def threshold(self):
        return getattr(self.seg_head, 'threshold', None)

    @property
    def ignore_index(self) -> int:
        return self.seg_head.ignore_index

    def forward(self, inputs: List[torch.Tensor]) -> torch.Tensor:
        """Segmentation logits of the wrapped head."""
        return self.seg_head(inputs)
