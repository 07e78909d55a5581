"""Every registry mmwsss registers into or builds from, in one place.

mmwsss is an MMSegmentation plugin: models, datasets, transforms, metrics,
hooks, loops and weight initialisers go into **MMSeg's** registries (scope
``mmseg``, the ``default_scope`` of every config), so a config mixes mmwsss
parts with any MMSeg or mmpretrain part.  Modules import the registries from
here, never from ``mmseg.registry`` directly, so the story is the same
everywhere.

Two kinds have no MMSeg counterpart and get registries of their own, in
the same ``mmseg`` scope (so building them under the configs' default scope
needs no ``_scope_``):

* ``SALIENCY``: salient-object backends (U^2-Net-p through onnxruntime,
  spectral residual, folders of maps).  They are not MMSeg models: no data
  preprocessor, no losses, never trained here.
* ``STAGES``: the steps of a multi-stage method (``stages`` of a pipeline
  config, see :mod:`mmwsss.stages`).

``MODEL_WRAPPERS`` is MMEngine's root registry: the Runner looks wrappers up
there, not in a scope.
"""
from mmengine.registry import MODEL_WRAPPERS, Registry
from mmseg.registry import (DATA_SAMPLERS, DATASETS, HOOKS, LOOPS, METRICS,
                            MODELS, TRANSFORMS, WEIGHT_INITIALIZERS)

SALIENCY = Registry('saliency backend', scope='mmseg',
                    locations=['mmwsss.saliency'])
STAGES = Registry('pipeline stage', scope='mmseg',
                  locations=['mmwsss.stages'])

__all__ = [
    'DATA_SAMPLERS', 'DATASETS', 'HOOKS', 'LOOPS', 'METRICS', 'MODELS',
    'MODEL_WRAPPERS',
    'SALIENCY', 'STAGES', 'TRANSFORMS', 'WEIGHT_INITIALIZERS'
]
