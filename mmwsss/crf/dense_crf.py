"""Fully connected CRF (Krähenbühl & Koltun, 2011) for WSSS pipelines.

CAMs and seeds are coarse: they blob over object boundaries because the
classifier's features are low-resolution. A dense CRF snaps them to colour
edges, which is why nearly every WSSS pipeline uses one at some stage. The
stages differ only in the kernel parameters and in what the unary comes
from, so this module keeps those as named presets (:data:`CRF_PRESETS`)
over one small wrapper around ``pydensecrf``:

* :func:`refine_probs`: soft input (class probabilities) -> marginals;
* :func:`refine_labels` / :func:`refine_label_map`: hard labels with
  unknown (255) pixels -> hard labels, unknown pixels filled in;
* :func:`dense_crf_postprocess`: a segmentor's logits -> label map.

The CRF is single-threaded C++: per-image steps run it in worker
processes (:func:`mmwsss.utils.per_image.worker_pool`).

``pydensecrf`` is imported on first use, so presets and docs stay usable
without it; a missing package raises :class:`ImportError` with the fix.
"""
import copy
from typing import Any, Dict, Optional, Sequence, Union

import numpy as np

from mmwsss.utils.io import IGNORE_INDEX

__all__ = [
    'CRF_PRESETS', 'IGNORE_INDEX', 'get_crf_params', 'refine_probs',
    'refine_labels', 'refine_label_map', 'dense_crf_postprocess'
]

#: gt_prob used by :func:`refine_labels` when the preset does not set one.
DEFAULT_GT_PROB = 0.7

#: Named CRF parameter families. Each entry is ``dict(gaussian=dict(sxy,
#: compat), bilateral=dict(sxy, srgb, compat), iterations[, gt_prob])``:
#:
#: * ``'psa'``: soft CAM refinement as in PSA (Ahn & Kwak, 2018) and SEAM,
#:   where the CRF turns background-augmented CAM probabilities into the
#:   confident seed regions used to train the affinity net. Wide, loose
#:   bilateral kernel (sxy 80, srgb 13) so whole objects are pulled in.
#:   Input: probabilities (:func:`refine_probs`).
#: * ``'irn'``: hard-label refinement as in IRN (Ahn et al., 2019), where
#:   thresholded CAM seeds (with an unknown band between the fg and bg
#:   thresholds) are refined before mining inter-pixel relations. Tighter
#:   colour kernel (sxy 50, srgb 5); unary from labels with gt_prob 0.7.
#:   Input: labels (:func:`refine_labels`, :func:`refine_label_map`).
#: * ``'deeplab'``: DeepLab-v2 test-time post-processing of a segmentor's
#:   softmax (bi_w 4, bi_xy_std 67, bi_rgb_std 3; pos_w 3, pos_xy_std 1).
#:   Input: logits/probabilities (:func:`dense_crf_postprocess`).
CRF_PRESETS: Dict[str, dict] = {
    'psa': dict(
        gaussian=dict(sxy=3, compat=3),
        bilateral=dict(sxy=80, srgb=13, compat=10),
        iterations=10),
    'irn': dict(
        gaussian=dict(sxy=3, compat=3),
        bilateral=dict(sxy=50, srgb=5, compat=10),
        iterations=10,
        gt_prob=0.7),
    'deeplab': dict(
        gaussian=dict(sxy=1, compat=3),
        bilateral=dict(sxy=67, srgb=3, compat=4),
        iterations=10),
}

_KERNEL_KEYS = dict(gaussian={'sxy', 'compat'},
                    bilateral={'sxy', 'srgb', 'compat'})
_OVERRIDE_KEYS = ('gaussian', 'bilateral', 'gt_prob')
_INSTALL_HINT = ('mmwsss.crf needs pydensecrf: pip install pydensecrf2 '
                 '(the old "pydensecrf" package does not build on '
                 'Python >= 3.11)')

Preset = Union[str, dict]


# ---------------------------------------------------------------- imports
def _densecrf() -> Any:
    """Import ``pydensecrf.densecrf`` lazily, with the install hint."""
    try:
        import pydensecrf.densecrf as dcrf
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return dcrf


def _crf_utils() -> Any:
    """Import ``pydensecrf.utils`` lazily, with the install hint."""
    try:
        import pydensecrf.utils as utils
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return utils


# ---------------------------------------------------------------- params
def get_crf_params(preset: Preset = 'psa',
                   iterations: Optional[int] = None,
                   **overrides: Any) -> dict:
    """Resolve a preset name (or a full parameter dict) plus overrides.

    Overrides are merged, not replaced: ``bilateral=dict(srgb=7)`` keeps
    the preset's ``sxy`` and ``compat``, so a sweep can vary one knob.
    Returns a fresh dict; :data:`CRF_PRESETS` is never modified.
    """
    params = copy.deepcopy(_lookup_preset(preset))
    for key, value in overrides.items():
        if key not in _OVERRIDE_KEYS:
            raise TypeError(f'unknown CRF override {key!r}; expected one of '
                            f'{list(_OVERRIDE_KEYS)}')
        if key in _KERNEL_KEYS:
            _check_kernel_keys(key, value)
            params[key] = {**params[key], **value}
        else:
            params[key] = value
    if iterations is not None:
        params['iterations'] = iterations
    _check_iterations(params['iterations'])
    return params


def _lookup_preset(preset: Preset) -> dict:
    """A preset by name, or a user dict checked to have every kernel."""
    if isinstance(preset, dict):
        missing = {'gaussian', 'bilateral', 'iterations'} - set(preset)
        if missing:
            raise ValueError(f'CRF parameter dict lacks {sorted(missing)}')
        for key in _KERNEL_KEYS:
            _check_kernel_keys(key, preset[key], complete=True)
        return preset
    if preset not in CRF_PRESETS:
        raise ValueError(f'unknown CRF preset {preset!r}; known presets: '
                         f'{sorted(CRF_PRESETS)}')
    return CRF_PRESETS[preset]


def _check_kernel_keys(kernel: str, value: Any,
                       complete: bool = False) -> None:
    """Catch misspelt kernel parameters, which pydensecrf would not."""
    if not isinstance(value, dict):
        raise TypeError(f'{kernel} parameters must be a dict, got {value!r}')
    allowed = _KERNEL_KEYS[kernel]
    unknown = set(value) - allowed
    if unknown:
        raise ValueError(f'unknown {kernel} parameter(s) {sorted(unknown)}; '
                         f'expected {sorted(allowed)}')
    if complete and set(value) != allowed:
        raise ValueError(f'{kernel} parameters need {sorted(allowed)}, '
                         f'got {sorted(value)}')


def _check_iterations(iterations: Any) -> None:
    if not isinstance(iterations, (int, np.integer)) or iterations < 1:
        raise ValueError(
            f'iterations must be a positive int, got {iterations!r}')


# ---------------------------------------------------------------- inputs
def _check_image(img_rgb: np.ndarray) -> np.ndarray:
    """The bilateral kernel reads raw uint8 RGB; a float image in [0, 1]
    would silently make every colour "identical", so refuse it."""
    img = np.asarray(img_rgb)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f'image must be (H, W, 3) RGB, got shape '
                         f'{img.shape}')
    if img.dtype != np.uint8:
        raise ValueError(f'image must be uint8, got {img.dtype}')
    return np.ascontiguousarray(img)


def _check_spatial(img: np.ndarray, arr: np.ndarray, what: str) -> None:
    if arr.shape[-2:] != img.shape[:2]:
        raise ValueError(f'{what} spatial size {tuple(arr.shape[-2:])} (full '
                         f'shape {arr.shape}) does not match image size '
                         f'{img.shape[:2]} (image shape {img.shape})')


# ---------------------------------------------------------------- core
def _run_crf(img: np.ndarray, unary: np.ndarray, n_labels: int,
             params: dict) -> np.ndarray:
    """Mean-field inference; returns the (C, H, W) float32 marginals."""
    dcrf = _densecrf()
    height, width = img.shape[:2]
    crf = dcrf.DenseCRF2D(width, height, n_labels)
    crf.setUnaryEnergy(np.ascontiguousarray(unary, dtype=np.float32))
    gauss, bilat = params['gaussian'], params['bilateral']
    crf.addPairwiseGaussian(sxy=gauss['sxy'], compat=gauss['compat'])
    crf.addPairwiseBilateral(
        sxy=bilat['sxy'], srgb=bilat['srgb'], rgbim=img,
        compat=bilat['compat'])
    marginals = crf.inference(int(params['iterations']))
    return np.asarray(marginals, dtype=np.float32).reshape(
        n_labels, height, width)


def refine_probs(img_rgb: np.ndarray,
                 probs: np.ndarray,
                 preset: Preset = 'psa',
                 iterations: Optional[int] = None,
                 **overrides: Any) -> np.ndarray:
    """Refine soft class probabilities; return the CRF marginals.

    Args:
        img_rgb: ``(H, W, 3)`` uint8 RGB image.
        probs: ``(C, H, W)`` probabilities summing to 1 over C (e.g. CAMs
            with a background channel, normalised). Zeros are clipped to
            1e-5 because the unary is ``-log(p)``.
        preset: a :data:`CRF_PRESETS` name or a full parameter dict.
        iterations: mean-field steps; ``None`` uses the preset's.
        **overrides: partial ``gaussian=`` / ``bilateral=`` dicts.

    Returns:
        ``(C, H, W)`` float32 marginals (sum to 1 over C).
    """
    if 'gt_prob' in overrides:
        raise TypeError('gt_prob applies to label input only: use '
                        'refine_labels / refine_label_map')
    img = _check_image(img_rgb)
    probs = np.asarray(probs, dtype=np.float32)
    if probs.ndim != 3:
        raise ValueError(f'probs must be (C, H, W), got shape {probs.shape}')
    _check_spatial(img, probs, 'probs')
    params = get_crf_params(preset, iterations, **overrides)
    unary = _crf_utils().unary_from_softmax(probs, clip=1e-5)
    return _run_crf(img, unary, probs.shape[0], params)


def refine_labels(img_rgb: np.ndarray,
                  labels: np.ndarray,
                  n_labels: int,
                  preset: Preset = 'irn',
                  gt_prob: Optional[float] = None,
                  iterations: Optional[int] = None) -> np.ndarray:
    """Refine a compact hard label map; unknown (255) pixels are filled.

    Labels must already be compact (``0..n_labels-1``, e.g. background and
    the image's classes): the CRF's cost grows with ``n_labels``, so the
    caller should not pass the whole dataset's class range. Use
    :func:`refine_label_map` for arbitrary class ids.

    Each known pixel says "my label, with probability ``gt_prob``"; unknown
    pixels get a uniform unary, so only the pairwise terms decide them and
    they take the label of the colour-similar region around them.

    Returns:
        ``(H, W)`` uint8 labels in ``[0, n_labels)``.
    """
    img = _check_image(img_rgb)
    labels = _check_compact_labels(img, labels, n_labels)
    params = get_crf_params(preset, iterations)
    gt_prob = params.get('gt_prob', DEFAULT_GT_PROB) if gt_prob is None \
        else gt_prob
    if not 0 < gt_prob < 1:
        raise ValueError(f'gt_prob must be in (0, 1), got {gt_prob!r}')
    if n_labels == 1:  # nothing to decide; pydensecrf divides by n - 1
        return np.zeros(labels.shape, np.uint8)
    # pydensecrf's zero_unsure convention: 0 = unknown, 1..n = labels.
    shifted = np.where(labels == IGNORE_INDEX, 0, labels + 1)
    unary = _crf_utils().unary_from_labels(
        shifted, n_labels, gt_prob, zero_unsure=True)
    marginals = _run_crf(img, unary, n_labels, params)
    return marginals.argmax(axis=0).astype(np.uint8)


def _check_compact_labels(img: np.ndarray, labels: np.ndarray,
                          n_labels: int) -> np.ndarray:
    """Out-of-range labels would index the wrong unary row silently."""
    if not 1 <= n_labels < IGNORE_INDEX:
        raise ValueError(f'n_labels must be in [1, {IGNORE_INDEX}), got '
                         f'{n_labels}')
    labels = np.asarray(labels)
    if labels.ndim != 2 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f'labels must be an (H, W) integer map, got shape '
                         f'{labels.shape} dtype {labels.dtype}')
    _check_spatial(img, labels, 'labels')
    labels = labels.astype(np.int64)
    bad = (labels != IGNORE_INDEX) & ((labels < 0) | (labels >= n_labels))
    if bad.any():
        raise ValueError(f'labels must be in [0, {n_labels}) or '
                         f'{IGNORE_INDEX}; found {np.unique(labels[bad])}')
    return labels


def refine_label_map(img_rgb: np.ndarray,
                     label_map: np.ndarray,
                     preset: Preset = 'irn',
                     classes: Optional[Sequence[int]] = None,
                     gt_prob: Optional[float] = None,
                     iterations: Optional[int] = None) -> np.ndarray:
    """:func:`refine_labels` for maps with arbitrary class ids.

    The ids are compacted to ``0..n-1`` (fewer labels = faster CRF) and
    mapped back, so the result uses the caller's ids and never an id that
    was not given. 255 is filled everywhere, unless every pixel is 255
    (then there is nothing to propagate and the map comes back as is).

    Args:
        classes: the candidate class ids, e.g. background plus the image's
            tags, so a tagged class absent from the seeds can still win.
            Defaults to the ids present in ``label_map``.

    Returns:
        ``(H, W)`` map with ``label_map``'s dtype.
    """
    label_map = np.asarray(label_map)
    known = label_map[label_map != IGNORE_INDEX]
    ids = np.unique(known if classes is None else np.asarray(classes))
    if ids.size and ids.max() == IGNORE_INDEX:
        raise ValueError(f'classes must not contain {IGNORE_INDEX} '
                         f'(the unknown label)')
    missing = np.setdiff1d(np.unique(known), ids)
    if missing.size:
        raise ValueError(f'label_map has ids {missing.tolist()} not in '
                         f'classes {ids.tolist()}')
    if known.size == 0:
        return label_map.copy()
    compact = np.where(label_map == IGNORE_INDEX, IGNORE_INDEX,
                       np.searchsorted(ids, label_map))
    refined = refine_labels(img_rgb, compact, len(ids), preset, gt_prob,
                            iterations)
    return ids[refined].astype(label_map.dtype)


def dense_crf_postprocess(img_rgb: np.ndarray,
                          seg_logits: Any,
                          preset: Preset = 'deeplab',
                          iterations: Optional[int] = None) -> np.ndarray:
    """Test-time CRF on a segmentor's ``(C, H, W)`` logits.

    ``seg_logits`` may be a torch tensor (any device) or a numpy array; it
    must already be at the image's size (MMSeg's ``seg_logits`` are).

    Returns:
        ``(H, W)`` uint8 label map (argmax of the CRF marginals).
    """
    logits = _to_numpy(seg_logits)
    if logits.ndim != 3:
        raise ValueError(f'seg_logits must be (C, H, W), got shape '
                         f'{logits.shape}')
    if logits.shape[0] > 256:
        raise ValueError(f'{logits.shape[0]} classes do not fit uint8')
    shifted = logits - logits.max(axis=0, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=0, keepdims=True)
    marginals = refine_probs(img_rgb, probs, preset, iterations)
    return marginals.argmax(axis=0).astype(np.uint8)


def _to_numpy(array: Any) -> np.ndarray:
    """Tensor or array -> float32 array, without importing torch here."""
    if hasattr(array, 'detach'):
        array = array.detach().float().cpu().numpy()
    return np.asarray(array, dtype=np.float32)
