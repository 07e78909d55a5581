from .adversarial_erasing_hook import AdversarialErasingHook

__all__ = ['AdversarialErasingHook']
