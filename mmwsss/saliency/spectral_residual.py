"""Spectral residual saliency (Hou & Zhang, CVPR 2007).

A weight-free baseline: it needs nothing downloaded, so pipelines and tests
that need *some* saliency prior run anywhere.  Written with numpy's FFT and
OpenCV core only, because ``cv2.saliency`` lives in opencv-contrib, which the
project does not depend on.
"""
from typing import List

import cv2
import numpy as np

from mmwsss.registry import SALIENCY
from .base import SaliencyBackend, check_inputs, minmax_normalise


def _noise_floor(size: int) -> float:
    """Expected FFT amplitude of 8-bit quantisation noise on size x size
    pixels (per-pixel std 1/sqrt(12)).

    Amplitudes below it carry no information, but on flat synthetic images
    (a clean square) the spectrum has exact zeros whose log dominates the
    residual and moves the saliency off the object; real photographs sit
    far above this floor, so flooring leaves the method unchanged for them.
    """
    return size / np.sqrt(12.0)


def spectral_residual(img: np.ndarray, size: int = 64,
                      blur_sigma: float = 2.5) -> np.ndarray:
    """Saliency of one BGR uint8 image as float32 [0, 1] at its size.

    Regions whose log amplitude spectrum departs from the locally averaged
    (i.e. expected, "natural image") spectrum are what stands out.
    """
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
    small = cv2.resize(grey, (size, size), interpolation=cv2.INTER_AREA)
    spectrum = np.fft.fft2(small.astype(np.float64))
    log_amplitude = np.log(np.maximum(np.abs(spectrum), _noise_floor(size)))
    residual = log_amplitude - cv2.blur(log_amplitude, (3, 3))
    back = np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))
    sal = cv2.GaussianBlur(np.abs(back)**2, (0, 0), blur_sigma)
    sal = cv2.resize(minmax_normalise(sal), (img.shape[1], img.shape[0]),
                     interpolation=cv2.INTER_LINEAR)
    return np.clip(sal, 0.0, 1.0).astype(np.float32)


@SALIENCY.register_module()
class SpectralResidualSaliency(SaliencyBackend):
    """Hou & Zhang spectral residual on a ``size`` x ``size`` grey image,
    smoothed with a Gaussian of ``blur_sigma`` pixels (at that size)."""

    def __init__(self, size: int = 64, blur_sigma: float = 2.5) -> None:
        self.size = size
        self.blur_sigma = blur_sigma

    def predict(self, images: List[np.ndarray],
                infos: List[dict]) -> List[np.ndarray]:
        check_inputs(images, infos)
        return [spectral_residual(img, self.size, self.blur_sigma)
                for img in images]
