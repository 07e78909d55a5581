"""Saliency backends: class-agnostic foreground maps for WSSS.

Every backend is registered in :data:`mmwsss.registry.SALIENCY`; build one
from a config dict with :func:`build_saliency`.
"""
from mmwsss.registry import SALIENCY
from .base import SaliencyBackend, minmax_normalise
from .folder import FolderSaliency
from .spectral_residual import SpectralResidualSaliency, spectral_residual
from .u2net import U2NetpSaliency


def build_saliency(cfg: dict) -> SaliencyBackend:
    """Build a backend from ``dict(type=..., **kwargs)``."""
    return SALIENCY.build(dict(cfg))


__all__ = [
    'SALIENCY', 'SaliencyBackend', 'FolderSaliency',
    'SpectralResidualSaliency',
    'U2NetpSaliency', 'build_saliency', 'minmax_normalise',
    'spectral_residual'
]
