from .adversarial_erasing_hook import AdversarialErasingHook
from .random_state_hook import RandomStateHook

__all__ = ['AdversarialErasingHook', 'RandomStateHook']
