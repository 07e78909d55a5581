"""MMSeg's EncoderDecoder with the two test-time corrections of PSL/PSL++.

* Classification suppression lives in :class:`PSLHead` and is switched by
  ``test_cfg.cls_suppression`` / ``test_cfg.cls_threshold``.
* Dense-CRF post-processing (DeepLab-CRF) lives here, because the CRF needs
  the original image: ``test_cfg.crf='deeplab'`` (a preset name of
  :mod:`mmwsss.crf`) refines every prediction at the image's size.

With a classification branch (:class:`PSLHead`), every prediction also
carries ``pred_cls_scores`` (the branch's class probabilities), so the same
model is scored by :class:`ImageLabelMetric` where no ground-truth mask
exists (a user's own tagged photos).  :meth:`predict_with_cls` gives PSL++
unsuppressed logits at the original size plus those probabilities, from one
backbone pass.
"""
from typing import List, Tuple

import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.models.segmentors import EncoderDecoder
from mmseg.structures import SegDataSample
from mmseg.utils import OptSampleList, SampleList

from mmwsss.crf import dense_crf_postprocess
from mmwsss.registry import MODELS
from mmwsss.utils.io import read_image


@MODELS.register_module()
class WSSSEncoderDecoder(EncoderDecoder):
    """``EncoderDecoder`` + optional dense CRF at test time
    (``test_cfg.crf``: ``None`` or a preset of :mod:`mmwsss.crf`)."""

    def predict(self, inputs: torch.Tensor,
                data_samples: OptSampleList = None) -> SampleList:
        """MMSeg's prediction; with a classification branch and whole-image
        inference, from the same backbone pass, the branch's class
        probabilities (``pred_cls_scores``) too."""
        if not hasattr(self.decode_head, 'forward_cls') or \
                self.test_cfg.get('mode', 'whole') != 'whole':
            return super().predict(inputs, data_samples)
        if data_samples is None:
            data_samples = [SegDataSample(metainfo=dict(
                ori_shape=inputs.shape[2:], img_shape=inputs.shape[2:],
                pad_shape=inputs.shape[2:], padding_size=[0, 0, 0, 0]))
                for _ in range(len(inputs))]
        feats = self.extract_feat(inputs)
        seg_logits = self.decode_head.predict(
            feats, [s.metainfo for s in data_samples], self.test_cfg)
        samples = self.postprocess_result(seg_logits, data_samples)
        for sample, probs in zip(samples,
                                 self.decode_head.forward_cls(feats)):
            sample.set_data({'pred_cls_scores': probs.sigmoid()})
        return samples

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
        img = read_image(sample.metainfo['img_path'], 'rgb')
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
        the PSL branch (``None`` for a head without one).  Whole-image
        inference."""
        metas = [sample.metainfo for sample in data_samples]
        feats = self.extract_feat(inputs)
        if hasattr(self.decode_head, 'predict_with_cls'):
            seg_logits, cls_probs = self.decode_head.predict_with_cls(
                feats, metas)
        else:
            seg_logits = self.decode_head.predict(feats, metas,
                                                  dict(cls_suppression=False))
            cls_probs = None
        # the parent's post-processing: un-pad, un-flip, resize; no CRF
        samples = EncoderDecoder.postprocess_result(self, seg_logits,
                                                    data_samples)
        return [s.seg_logits.data for s in samples], cls_probs
