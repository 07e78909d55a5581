"""mmwsss: weakly supervised semantic segmentation for MMSegmentation 1.x.

Importing the package first applies the compatibility shims of
:mod:`mmwsss.compat`, then registers every module into MMSegmentation's
registries (scope ``mmseg``), so configs load it with
``custom_imports = dict(imports=['mmwsss'], allow_failed_imports=False)``.
"""
from . import compat

compat.apply()

from . import (apis, crf, datasets, engine, evaluation,  # noqa: E402,F401
               models, proposals, pseudo_labels, saliency, stages,
               visualization)

__version__ = '0.1.0'
