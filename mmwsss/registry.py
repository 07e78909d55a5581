"""Registry of saliency backends (``SALIENCY``).

Saliency backends (U^2-Net-p through onnxruntime, spectral residual, folders
of precomputed maps) are not MMSeg models: they have no ``data_preprocessor``,
no losses and are never trained here, so they get a registry of their own
rather than MMSeg's ``MODELS``.  ``locations`` makes ``SALIENCY.build`` import
:mod:`mmwsss.saliency` (which registers them) on first use.
"""
from mmengine.registry import Registry

SALIENCY = Registry('saliency backend', locations=['mmwsss.saliency'])

# Kinds of pipeline stages (``stages = [dict(type='TrainStage', ...)]`` in a
# config); see mmwsss.stages.
STAGES = Registry('pipeline stage', locations=['mmwsss.stages'])
