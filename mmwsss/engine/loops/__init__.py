from .adversarial_erasing_loop import AdversarialErasingLoop

__all__ = ['AdversarialErasingLoop']
