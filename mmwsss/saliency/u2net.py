"""U^2-Net-p salient object detection through onnxruntime.

onnxruntime rather than torch because the model ships as an ONNX file
(weight ``u2netp`` of :mod:`mmwsss.utils.weights`, rembg's export) and
runs fast on CPU without a torch re-implementation of the network.
``model_path`` is a path or that weight's name (``mmwsss-weights://u2netp`` or
``u2netp``), found in the weights folders or downloaded.
"""
from typing import List, Optional, Sequence

import cv2
import numpy as np

from mmwsss.compat import missing_extra
from mmwsss.registry import SALIENCY
from mmwsss.utils.weights import resolve_weight
from .base import SaliencyBackend, check_inputs, minmax_normalise

try:  # the "saliency" extra; without it mmwsss imports, U2NetpSaliency stops
    import onnxruntime as ort
    from onnxruntime.capi import onnxruntime_pybind11_state as _ort_state
except ImportError:
    ort = missing_extra('onnxruntime', 'saliency', 'U2NetpSaliency')
    _ort_state = None  # no onnxruntime errors to catch

_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
_STD = np.array([0.229, 0.224, 0.225], np.float32)
# What onnxruntime raises for a file that is not a loadable model.
_LOAD_ERRORS = tuple(
    getattr(_ort_state, name)
    for name in ('InvalidProtobuf', 'InvalidArgument', 'InvalidGraph', 'Fail')
    if hasattr(_ort_state, name))


def default_providers() -> List[str]:
    """CUDA when this onnxruntime build has it, else CPU: GPU builds refuse
    to guess and require an explicit list."""
    available = ort.get_available_providers()
    return [p for p in ('CUDAExecutionProvider', 'CPUExecutionProvider')
            if p in available]


def open_onnx_session(model_path: str,
                      providers: Optional[Sequence[str]] = None
                      ) -> ort.InferenceSession:
    """An inference session of a model file or weight name, with errors
    that name the model file (the onnxruntime ones only say "Protobuf
    parsing failed")."""
    try:
        model_path = resolve_weight(model_path)
    except FileNotFoundError as exc:
        raise FileNotFoundError(f'ONNX model file: {exc}') from exc
    try:
        return ort.InferenceSession(
            model_path, providers=list(providers or default_providers()))
    except _LOAD_ERRORS as exc:
        raise ValueError(
            f'{model_path} is not a valid ONNX model ({exc})') from exc


@SALIENCY.register_module()
class U2NetpSaliency(SaliencyBackend):
    """U^2-Net-p: first output, min-max normalised per image.

    Args:
        model_path: the ONNX file (input NCHW RGB, ImageNet mean/std), or
            a weight name (``mmwsss-weights://u2netp``, ``u2netp``).
        input_size: square side the images are resized to.
        providers: onnxruntime execution providers; default CUDA if
            available, else CPU.
    """

    def __init__(self, model_path: str, input_size: int = 320,
                 providers: Optional[Sequence[str]] = None) -> None:
        self.model_path = model_path
        self.input_size = input_size
        self.session = open_onnx_session(model_path, providers)
        model_input = self.session.get_inputs()[0]
        self.input_name = model_input.name
        self._check_input_size(model_input.shape)

    def _check_input_size(self, shape: Sequence) -> None:
        """Fail at construction, not at the first image, when the model has a
        fixed spatial size other than ``input_size``."""
        fixed = [d for d in shape[2:] if isinstance(d, int)]
        if any(d != self.input_size for d in fixed):
            raise ValueError(
                f'{self.model_path}: model input shape {list(shape)} does not '
                f'accept input_size={self.input_size}')

    @property
    def dynamic_batch(self) -> bool:
        """Whether the model takes several images per run (symbolic or
        unknown batch dimension) or only its fixed batch size."""
        return not isinstance(self.session.get_inputs()[0].shape[0], int)

    def preprocess(self, img: np.ndarray) -> np.ndarray:
        """BGR uint8 HxWx3 -> normalised RGB float32 3xSxS."""
        rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        size = (self.input_size, self.input_size)
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_LINEAR)
        rgb = (rgb.astype(np.float32) / 255.0 - _MEAN) / _STD
        return np.ascontiguousarray(rgb.transpose(2, 0, 1))

    def _run(self, batch: np.ndarray) -> np.ndarray:
        """Raw first output as (N, S, S)."""
        out = self.session.run(None, {self.input_name: batch})[0]
        return out.reshape(len(batch), *out.shape[-2:])

    def predict(self, images: List[np.ndarray],
                infos: List[dict]) -> List[np.ndarray]:
        check_inputs(images, infos)
        if not images:
            return []
        inputs = np.stack([self.preprocess(img) for img in images])
        if self.dynamic_batch:
            raw = self._run(inputs)
        else:
            raw = np.concatenate([self._run(x[None]) for x in inputs])
        return [self._postprocess(r, img.shape[:2])
                for r, img in zip(raw, images)]

    @staticmethod
    def _postprocess(raw: np.ndarray, shape: Sequence[int]) -> np.ndarray:
        """Normalise, then resize back to the image size (height, width)."""
        sal = cv2.resize(minmax_normalise(raw), (shape[1], shape[0]),
                         interpolation=cv2.INTER_LINEAR)
        return np.clip(sal, 0.0, 1.0).astype(np.float32)
