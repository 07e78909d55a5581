"""Data preprocessor that also batches images of different sizes at test
time (right/bottom padding), so CAM generation and evaluation over real
datasets, whose images differ in size, run batched."""
import torch
from mmengine.structures import PixelData
from mmseg.models.data_preprocessor import SegDataPreProcessor
from mmseg.utils import stack_batch

from mmwsss.registry import MODELS


@MODELS.register_module()
class WSSSDataPreProcessor(SegDataPreProcessor):
    """``SegDataPreProcessor``; in test mode, images of unequal sizes are
    padded to the largest one and each sample's ``img_shape`` keeps its
    unpadded size (MMSeg's version asserts equal sizes).  Ground-truth
    masks keep their own size: predictions are un-padded back to the
    original size before they are scored against them."""

    def forward(self, data: dict, training: bool = False) -> dict:
        if training:
            return super().forward(data, training=True)
        data = self.cast_data(data)
        inputs = data['inputs']
        data_samples = data.get('data_samples')
        if self.channel_conversion and inputs[0].size(0) == 3:
            inputs = [img[[2, 1, 0], ...] for img in inputs]
        inputs = [img.float() for img in inputs]
        if self._enable_normalize:
            inputs = [(img - self.mean) / self.std for img in inputs]
        sizes = {tuple(img.shape[1:]) for img in inputs}
        if len(sizes) == 1 and not self.test_cfg:
            return dict(inputs=torch.stack(inputs), data_samples=data_samples)
        test_cfg = self.test_cfg or {}
        size = test_cfg.get('size')
        divisor = None if size else test_cfg.get('size_divisor', 1)
        if data_samples is None:
            from mmseg.structures import SegDataSample
            data_samples = [SegDataSample() for _ in inputs]
        # stack_batch pads the masks in place; keep the unpadded tensors
        masks = [s.gt_sem_seg.data if 'gt_sem_seg' in s else None
                 for s in data_samples]
        # with data samples, stack_batch records each unpadded img_shape
        batch, data_samples = stack_batch(
            inputs=inputs,
            data_samples=data_samples,
            size=size,
            size_divisor=divisor,
            pad_val=self.pad_val,
            seg_pad_val=self.seg_pad_val)
        for sample, mask in zip(data_samples, masks):
            if mask is not None:
                sample.gt_sem_seg = PixelData(data=mask)
        return dict(inputs=batch, data_samples=data_samples)
