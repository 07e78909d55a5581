from .erasing import EraseMinedRegions
from .formatting import PackWSSSInputs
from .loading import (CheckImageLabels, LoadCheckedAnnotations,
                      LoadCheckedImageFromFile)
from .proposals import LoadProposals
from .soft_targets import (LoadSegTargets, LoadSoftMap, SaliencySoftTargets,
                           saliency_soft_targets)
from .true_masks import LoadTrueMaskIfLabelled

__all__ = [
    'EraseMinedRegions', 'PackWSSSInputs', 'CheckImageLabels',
    'LoadCheckedAnnotations', 'LoadCheckedImageFromFile',
    'LoadProposals', 'LoadTrueMaskIfLabelled', 'LoadSegTargets',
    'LoadSoftMap', 'SaliencySoftTargets',
    'saliency_soft_targets'
]
