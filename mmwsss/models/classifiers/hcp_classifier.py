"""The HCP classifier (Hypotheses-CNN-Pooling, Wei et al., TPAMI 2016):
a multi-label classifier that scores object hypotheses and max-pools them
into image scores, trained on image labels only.

An MMSeg segmentor like :class:`CAMClassifier`, so it trains and validates
through MMSeg's runners: any backbone, then :class:`HCPHead` over each
image's proposals (``data_sample.proposals``, boxes on the network input
as :class:`LoadProposals` mapped them, the whole frame first).  Validation
and test give image-level probabilities (``pred_cls_scores``, scored by
:class:`ImageLabelMetric`); the proposals' own scores and features, which
re-ranking uses, come from :meth:`HCPClassifier.proposal_logits`.
"""
from typing import List, Optional, Tuple

import torch
from mmseg.utils import SampleList

from mmwsss.registry import MODELS
from mmwsss.utils.labels import sample_labels
from .image_classifier import (ImageLabelClassifier, attach_class_scores,
                               samples_for)


@MODELS.register_module()
class HCPClassifier(ImageLabelClassifier):
    """Any backbone + an :class:`HCPHead`.

    Args:
        backbone: any MMSeg / mmpretrain / torchvision backbone config.
        head: an :class:`HCPHead` config.
        neck: optional neck.
        in_index: which backbone output the head pools.
    """

    # ----------------------------------------------------------- forward
    def proposal_logits(self, inputs: torch.Tensor,
                        data_samples: Optional[SampleList]
                        ) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """Per image: ``(N_i, num_classes - 1)`` proposal logits and the
        ``(N_i, C)`` features they come from.  A sample without proposals
        (an image given to MMSeg's inferencer) is one hypothesis, the
        whole frame."""
        height, width = inputs.shape[2:]
        boxes = []
        for sample in data_samples or [None] * len(inputs):
            box = getattr(sample, 'proposals', None)
            if box is None or not len(box):
                box = inputs.new_tensor([[0, 0, width, height]])
            boxes.append(box.to(inputs.device))
        return self.head(self.extract_feat(inputs), boxes, width)

    def image_logits(self, inputs: torch.Tensor,
                     data_samples: Optional[SampleList]) -> torch.Tensor:
        """``(B, num_classes - 1)``: the max over each image's proposals."""
        return self.head.pool(self.proposal_logits(inputs, data_samples)[0])

    def encode_decode(self, inputs: torch.Tensor,
                      batch_data_samples: SampleList) -> torch.Tensor:
        return self.image_logits(inputs, batch_data_samples)

    def _forward(self, inputs: torch.Tensor, data_samples=None):
        return self.image_logits(inputs, data_samples)

    # ------------------------------------------------------------- train
    def loss(self, inputs: torch.Tensor, data_samples: SampleList) -> dict:
        logits, _ = self.proposal_logits(inputs, data_samples)
        return self.head.loss(logits, sample_labels(data_samples))

    # -------------------------------------------------------------- test
    def predict(self, inputs: torch.Tensor,
                data_samples: SampleList = None) -> SampleList:
        """Attach ``pred_cls_scores`` (sigmoid of the image scores)."""
        data_samples = samples_for(inputs, data_samples)
        scores = torch.sigmoid(self.image_logits(inputs, data_samples))
        return attach_class_scores(data_samples, scores)
