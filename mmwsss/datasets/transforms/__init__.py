from .formatting import PackWSSSInputs
from .loading import (CheckImageLabels, LoadCheckedAnnotations,
                      LoadCheckedImageFromFile, load_image_checked)

__all__ = [
    'PackWSSSInputs', 'CheckImageLabels', 'LoadCheckedAnnotations',
    'LoadCheckedImageFromFile', 'load_image_checked'
]
