from .erasing_masks import ErasingMaskStore
from .hooks import *  # noqa: F401,F403

__all__ = ['ErasingMaskStore']
