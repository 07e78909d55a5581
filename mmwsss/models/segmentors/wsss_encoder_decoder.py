"""MMSeg's EncoderDecoder with the two test-time corrections of PSL/PSL++.

* Classification suppression lives in :class:`PSLHead` and is switched by
  ``test_cfg.cls_suppression`` / ``test_cfg.cls_threshold``.
* Dense-CRF post-processing (DeepLab-CRF) lives here, because the CRF needs
  the original image: ``test_cfg.crf='deeplab'`` (a preset name of
  :mod:`mmwsss.crf`) refines every prediction at the image's size.

It also exposes :meth:`predict_with_cls`, which PSL++ uses to predict the
training images: unsuppressed logits at the original size plus the
classification branch's probabilities, from one backbone pass.
"""
from typing import List, Tuple

import cv2
import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import OptSampleList, SampleList

from mmwsss.crf import dense_crf_postprocess


def read_rgb(path: str) -> np.ndarray:
    """The image a prediction is for, as contiguous RGB uint8."""
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f'cannot read image {path} for the CRF')
    return np.ascontiguousarray(img[..., ::-1])


@MODELS.register_module()
class WSSSEncoderDecoder(EncoderDecoder):
    """``EncoderDecoder`` + optional dense CRF at test time
    (``test_cfg.crf``: ``None`` or a preset of :mod:`mmwsss.crf`)."""

    def postprocess_result(self, seg_logits: torch.Tensor,
                           data_samples: OptSampleList = None) -> SampleList:
        data_samples = super().postprocess_result(seg_logits, data_samples)
        preset = (self.test_cfg or {}).get('crf')
        if preset:
            for sample in data_samples:
                self._refine_with_crf(sample, preset)
        return data_samples

    @staticmethod
    def _refine_with_crf(sample, preset: str) -> None:
        img = read_rgb(sample.metainfo['img_path'])
        logits = sample.seg_logits.data
        if tuple(img.shape[:2]) != tuple(logits.shape[-2:]):
            raise ValueError(
                f'{sample.metainfo["img_path"]}: image size {img.shape[:2]} '
                f'differs from the prediction size {tuple(logits.shape[-2:])}')
        labels = dense_crf_postprocess(img, logits, preset)
        sample.pred_sem_seg = PixelData(
            data=torch.from_numpy(labels.astype(np.int64))[None].to(
                logits.device))

    @torch.no_grad()
    def predict_with_cls(self, inputs: torch.Tensor, data_samples: SampleList
                         ) -> Tuple[List[torch.Tensor], torch.Tensor]:
        """Per-image ``(C, H, W)`` logits at the original image size (no
        suppression, no CRF) and the ``(B, C - 1)`` class probabilities of
        the PSL branch.  Whole-image inference."""
        if not hasattr(self.decode_head, 'predict_with_cls'):
            raise TypeError(f'{type(self.decode_head).__name__} has no '
                            'classification branch; use PSLHead')
        metas = [sample.metainfo for sample in data_samples]
        feats = self.extract_feat(inputs)
        seg_logits, cls_probs = self.decode_head.predict_with_cls(feats, metas)
        # the parent's post-processing: un-pad, un-flip, resize; no CRF
        samples = EncoderDecoder.postprocess_result(self, seg_logits,
                                                    data_samples)
        return [s.seg_logits.data for s in samples], cls_probs
