from .erasing_masks import ErasingMaskStore
from .hooks import *  # noqa: F401,F403
from .model_wrappers import DeviceAgnosticDDP

__all__ = ['ErasingMaskStore', 'DeviceAgnosticDDP']
