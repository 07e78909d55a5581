from .erasing import EraseMinedRegions
from .formatting import PackWSSSInputs
from .loading import (CheckImageLabels, LoadCheckedAnnotations,
                      LoadCheckedImageFromFile, load_image_checked)

__all__ = [
    'EraseMinedRegions', 'PackWSSSInputs', 'CheckImageLabels',
    'LoadCheckedAnnotations', 'LoadCheckedImageFromFile', 'load_image_checked'
]
