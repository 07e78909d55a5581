"""Dense CRF: refinement quality on a two-region image, presets, workers."""
import sys

import numpy as np
import pytest
import torch

from mmwsss.crf import (CRF_PRESETS, dense_crf_postprocess, get_crf_params,
                        refine_label_map, refine_labels, refine_probs)
from mmwsss.utils.per_image import worker_pool

H, W, EDGE = 64, 96, 48  # the colour edge is at column EDGE


def two_halves(noise=5.0, seed=0):
    """Dark left half, bright right half, Gaussian noise; true labels."""
    rng = np.random.default_rng(seed)
    img = np.full((H, W, 3), 40.0)
    img[:, EDGE:] = 200.0
    img = np.clip(img + rng.normal(0, noise, img.shape), 0, 255)
    truth = np.zeros((H, W), np.int64)
    truth[:, EDGE:] = 1
    return img.astype(np.uint8), truth


def noisy_probs(truth, flip=0.2, seed=1):
    """Two-class probabilities following ``truth`` with ``flip`` of the
    pixels pointing at the wrong class (confidence 0.55-0.8)."""
    rng = np.random.default_rng(seed)
    noisy = np.where(rng.random(truth.shape) < flip, 1 - truth, truth)
    conf = rng.uniform(0.55, 0.8, truth.shape)
    fg = np.where(noisy == 1, conf, 1 - conf)
    return np.stack([1 - fg, fg]).astype(np.float32)


def banded_label_map(ids=(0, 15), band=(20, 60)):
    """Truth with ids, and a copy with an asymmetric 255 band around the
    edge (so filling it by distance alone would put the border wrong)."""
    _, truth = two_halves()
    truth_ids = np.where(truth == 0, ids[0], ids[1]).astype(np.uint8)
    seeds = truth_ids.copy()
    seeds[:, band[0]:band[1]] = 255
    return truth_ids, seeds


# ------------------------------------------------------------ refine_probs
def test_refine_probs_removes_most_flipped_pixels():
    img, truth = two_halves(noise=10.0)
    probs = noisy_probs(truth)
    errors_before = (probs.argmax(0) != truth).sum()
    marginals = refine_probs(img, probs, 'psa')
    errors_after = (marginals.argmax(0) != truth).sum()
    assert errors_before > 0.15 * truth.size
    assert errors_after < errors_before / 2
    assert marginals.shape == probs.shape and marginals.dtype == np.float32
    np.testing.assert_allclose(marginals.sum(0), 1.0, atol=1e-4)


def test_refine_probs_survives_zero_probabilities():
    img, truth = two_halves()
    one_hot = np.stack([truth == 0, truth == 1]).astype(np.float32)
    marginals = refine_probs(img, one_hot, 'psa')
    assert np.isfinite(marginals).all()
    assert (marginals.argmax(0) == truth).all()


def test_refine_probs_shape_mismatch_names_both_shapes():
    img, truth = two_halves()
    probs = noisy_probs(truth)[:, :, :-1]
    with pytest.raises(ValueError, match=r'\(64, 95\).*\(64, 96\)'):
        refine_probs(img, probs)


def test_refine_probs_rejects_float_image():
    img, truth = two_halves()
    with pytest.raises(ValueError, match='uint8'):
        refine_probs(img / 255.0, noisy_probs(truth))


# ------------------------------------------------------------ label maps
def test_refine_label_map_fills_band_along_colour_edge():
    img, _ = two_halves()
    truth_ids, seeds = banded_label_map()
    out = refine_label_map(img, seeds, 'irn')
    band = seeds == 255
    assert (out[band] == truth_ids[band]).mean() > 0.9
    assert set(np.unique(out)) == {0, 15}
    assert out.dtype == seeds.dtype
    # control: without colour the same CRF fills the band by distance and
    # misplaces the border, so the result above comes from the edge
    colour_blind = get_crf_params('irn', bilateral=dict(srgb=1e5))
    out_blind = refine_label_map(img, seeds, colour_blind)
    assert (out_blind[band] == truth_ids[band]).mean() < 0.8


def test_refine_label_map_only_outputs_given_ids():
    img, _ = two_halves()
    _, seeds = banded_label_map(ids=(3, 15))
    out = refine_label_map(img, seeds, 'irn', classes=[3, 7, 15])
    assert set(np.unique(out)) <= {3, 7, 15}
    assert (out != 255).all()
    with pytest.raises(ValueError, match=r'\[15\]'):
        refine_label_map(img, seeds, 'irn', classes=[3, 7])


def test_refine_label_map_all_unknown_stays_unknown():
    img, _ = two_halves()
    seeds = np.full((H, W), 255, np.uint8)
    assert (refine_label_map(img, seeds) == 255).all()


def test_refine_labels_compact_indices_and_range_check():
    img, truth = two_halves()
    labels = truth.copy()
    labels[:, 40:56] = 255
    out = refine_labels(img, labels, n_labels=2)
    assert out.dtype == np.uint8 and out.shape == (H, W)
    assert (out == truth).mean() > 0.95
    with pytest.raises(ValueError, match=r'\[0, 2\)'):
        refine_labels(img, truth + 1, n_labels=2)


# ------------------------------------------------------------ presets
@pytest.mark.parametrize('preset', sorted(CRF_PRESETS))
def test_every_preset_runs(preset):
    img, truth = two_halves(noise=10.0)
    probs = noisy_probs(truth)
    ten = refine_probs(img, probs, preset)
    one = refine_probs(img, probs, preset, iterations=1)
    assert (ten.argmax(0) != truth).sum() < (probs.argmax(0) != truth).sum()
    assert not np.allclose(ten, one)
    _, seeds = banded_label_map()
    assert set(np.unique(refine_label_map(img, seeds, preset))) <= {0, 15}


def test_preset_values_and_overrides_do_not_leak():
    assert CRF_PRESETS['deeplab'] == dict(
        gaussian=dict(sxy=1, compat=3),
        bilateral=dict(sxy=67, srgb=3, compat=4), iterations=10)
    assert CRF_PRESETS['irn']['gt_prob'] == 0.7
    params = get_crf_params('psa', iterations=3, bilateral=dict(srgb=7))
    assert params['bilateral'] == dict(sxy=80, srgb=7, compat=10)
    assert params['iterations'] == 3
    assert CRF_PRESETS['psa']['bilateral']['srgb'] == 13


def test_unknown_preset_and_override_are_named():
    img, truth = two_halves()
    with pytest.raises(ValueError, match="'crf'.*deeplab.*irn.*psa"):
        refine_probs(img, noisy_probs(truth), 'crf')
    with pytest.raises(ValueError, match='srbg'):
        get_crf_params('psa', bilateral=dict(srbg=3))
    with pytest.raises(TypeError, match='sigma'):
        get_crf_params('psa', sigma=3)
    with pytest.raises(ValueError, match='iterations'):
        get_crf_params('psa', iterations=0)


def test_missing_pydensecrf_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, 'pydensecrf.densecrf', None)
    img, truth = two_halves()
    with pytest.raises(ImportError, match='pip install pydensecrf2'):
        refine_probs(img, noisy_probs(truth))


# ------------------------------------------------------------ workers
def test_crf_in_worker_processes_is_deterministic_and_ordered():
    img, truth = two_halves(noise=10.0)
    tasks = [(img, noisy_probs(truth, seed=seed), 'psa', 3)
             for seed in range(6)]
    with worker_pool(1) as serial_map:
        serial = serial_map(refine_probs, tasks)
    with worker_pool(2) as parallel_map:
        parallel = parallel_map(refine_probs, tasks[:3])
        parallel += parallel_map(refine_probs, tasks[3:])  # same pool
    assert len(parallel) == len(tasks)
    for one, other in zip(serial, parallel):
        np.testing.assert_array_equal(one, other)
    # input order is kept: tasks differ, so a shuffle would show
    assert not np.array_equal(parallel[0], parallel[1])
    np.testing.assert_array_equal(parallel[4], refine_probs(*tasks[4]))


def test_streamed_map_pulls_tasks_lazily_and_keeps_order():
    """``imap`` takes a task only when fewer than ``max_pending`` are in
    flight (so the parent can run the network for the next image while
    the workers refine), and yields results in input order."""
    img, truth = two_halves(noise=10.0)
    pulled = []

    def tasks():
        for seed in range(6):
            pulled.append(seed)
            yield img, noisy_probs(truth, seed=seed), 'psa', 3

    with worker_pool(2) as parallel:
        stream = parallel.imap(refine_probs, tasks(), max_pending=2)
        first = next(stream)
        assert len(pulled) <= 3  # two in flight, the next one not yet
        rest = list(stream)
    assert len(pulled) == 6 and len(rest) == 5
    expected = [refine_probs(img, noisy_probs(truth, seed=seed), 'psa', 3)
                for seed in range(6)]
    for got, want in zip([first] + rest, expected):
        np.testing.assert_array_equal(got, want)
    with worker_pool(1) as serial:  # in-process: lazy as well
        stream = serial.imap(refine_probs, tasks())
        pulled.clear()
        next(stream)
        assert pulled == [0]


# ------------------------------------------------------------ postprocess
def test_dense_crf_postprocess_on_tensor_logits():
    img, truth = two_halves(noise=10.0)
    logits = torch.from_numpy(np.log(noisy_probs(truth)))
    out = dense_crf_postprocess(img, logits)
    assert out.shape == (H, W) and out.dtype == np.uint8
    assert (out != truth).sum() < (logits.argmax(0).numpy() != truth).sum()
    assert np.array_equal(out, dense_crf_postprocess(img, logits.numpy()))
    with pytest.raises(ValueError, match='does not match image size'):
        dense_crf_postprocess(img, logits[:, :32])
