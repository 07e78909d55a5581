from .hooks import RandomStateHook
from .loops import AdversarialErasingLoop
from .model_wrappers import DeviceAgnosticDDP

__all__ = ['AdversarialErasingLoop', 'DeviceAgnosticDDP', 'RandomStateHook']
