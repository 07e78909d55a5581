"""Dense CRF refinement of CAMs, seeds and segmentor outputs.

Not imported by ``mmwsss/__init__`` on purpose: the CRF is an offline /
post-processing step, and ``pydensecrf`` is imported only when a function
here is first called.
"""
from .dense_crf import (CRF_PRESETS, dense_crf_postprocess, get_crf_params,
                        refine_label_map, refine_labels, refine_probs)

__all__ = [
    'CRF_PRESETS', 'dense_crf_postprocess', 'get_crf_params',
    'refine_label_map', 'refine_labels', 'refine_probs'
]
