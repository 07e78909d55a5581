from .cam_head import CAMHead

__all__ = ['CAMHead']
