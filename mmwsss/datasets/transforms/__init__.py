from .erasing import EraseMinedRegions
from .formatting import PackWSSSInputs
from .loading import (CheckImageLabels, LoadCheckedAnnotations,
                      LoadCheckedImageFromFile)
from .soft_targets import (LoadSegTargets, SaliencySoftTargets,
                           saliency_soft_targets)

__all__ = [
    'EraseMinedRegions', 'PackWSSSInputs', 'CheckImageLabels',
    'LoadCheckedAnnotations', 'LoadCheckedImageFromFile',
    'LoadSegTargets', 'SaliencySoftTargets', 'saliency_soft_targets'
]
