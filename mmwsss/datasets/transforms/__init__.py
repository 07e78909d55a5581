from .erasing import EraseMinedRegions
from .formatting import PackWSSSInputs
from .loading import (CheckImageLabels, LoadCheckedAnnotations,
                      LoadCheckedImageFromFile)

__all__ = [
    'EraseMinedRegions', 'PackWSSSInputs', 'CheckImageLabels',
    'LoadCheckedAnnotations', 'LoadCheckedImageFromFile'
]
