"""Saliency backends, make_saliency_maps (resumable, atomic, sharded) and
tools/make_saliency.py."""
import glob
import os
import os.path as osp
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import mmwsss.pseudo_labels.saliency_maps as saliency_generation
import mmwsss.utils.per_image as per_image
from mmwsss.pseudo_labels import make_saliency_maps
from mmwsss.saliency import (FolderSaliency, SpectralResidualSaliency,
                             U2NetpSaliency, build_saliency, u2net)
from mmwsss.utils.io import atomic_write
from mmwsss.utils.io import read_grey_map as load_saliency_map
from mmwsss.utils.io import read_image as load_image_checked
from mmwsss.utils.io import read_mask
from conftest import SHARED_MISSING

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO, 'configs', 'cam',
                  'cam_tinyr18-d8_1xb16-20e_synthetic-96x96.py')


def square_image(size=(96, 128), box=(30, 60, 40, 80)):
    """A bright square on a flat grey background, and its mask."""
    img = np.full(size + (3, ), 60, np.uint8)
    mask = np.zeros(size, bool)
    mask[box[0]:box[1], box[2]:box[3]] = True
    img[mask] = 255
    return img, mask


def objects_sample(root, count=6):
    """(image path, foreground mask) of the first train images with
    objects."""
    samples = []
    for mask_path in sorted(
            glob.glob(osp.join(root, 'SegmentationClass', 'train_*.png'))):
        mask = read_mask(mask_path)
        foreground = (mask > 0) & (mask < 255)
        if foreground.any():
            stem = osp.splitext(osp.basename(mask_path))[0]
            samples.append(
                (osp.join(root, 'JPEGImages', stem + '.jpg'), foreground))
        if len(samples) == count:
            break
    return samples


def write_grey(path, array):
    Image.fromarray(np.asarray(array, np.uint8), mode='L').save(path)


# ---------------------------------------------------------------- backends


def test_spectral_residual_finds_bright_square():
    img, mask = square_image()
    backend = build_saliency(dict(type='SpectralResidualSaliency'))
    assert isinstance(backend, SpectralResidualSaliency)
    [sal] = backend.predict([img], [dict(img_path='square.png')])
    assert sal.shape == img.shape[:2] and sal.dtype == np.float32
    assert sal.min() >= 0 and sal.max() <= 1
    assert sal[mask].mean() > 2 * sal[~mask].mean()


def test_backends_reject_wrong_inputs():
    backend = SpectralResidualSaliency()
    grey = np.zeros((8, 8), np.uint8)
    with pytest.raises(ValueError, match='grey.png'):
        backend.predict([grey], [dict(img_path='grey.png')])
    with pytest.raises(ValueError, match='1 images but 0'):
        backend.predict([square_image()[0]], [])


@pytest.fixture(scope='module')
def u2netp(shared_dir):
    path = osp.join(str(shared_dir), 'weights', 'u2netp.onnx')
    if not osp.isfile(path):
        pytest.skip(SHARED_MISSING)
    return U2NetpSaliency(path)


@pytest.fixture(scope='module')
def u2netp_maps(u2netp, synthetic_root):
    """One batched call over six images with objects (about 1 s each on
    CPU, so computed once for the module)."""
    samples = objects_sample(synthetic_root)
    images = [load_image_checked(path) for path, _ in samples]
    infos = [dict(img_path=path) for path, _ in samples]
    return images, infos, samples, u2netp.predict(images, infos)


def test_u2netp_higher_on_objects(u2netp_maps):
    images, _, samples, maps = u2netp_maps
    assert len(maps) == 6
    inside, outside = [], []
    for img, (_, foreground), sal in zip(images, samples, maps):
        assert sal.shape == img.shape[:2] and sal.dtype == np.float32
        assert sal.min() >= 0 and sal.max() <= 1
        inside.append(sal[foreground].mean())
        outside.append(sal[~foreground].mean())
    assert all(i > o for i, o in zip(inside, outside)), (inside, outside)
    assert np.mean(inside) > np.mean(outside) + 0.3


def test_u2netp_batched_equals_one_by_one(u2netp, u2netp_maps):
    images, infos, _, maps = u2netp_maps
    for img, info, batched in list(zip(images, infos, maps))[:2]:
        [single] = u2netp.predict([img], [info])
        np.testing.assert_allclose(single, batched, atol=1e-4)


class FakeDynamicSession:
    """Stands in for a dynamic-batch export (the shipped u2netp.onnx has a
    fixed batch of 1): a per-image function of the input, batch dim
    symbolic, every call's batch size recorded."""

    def __init__(self):
        self.batch_sizes = []

    def get_inputs(self):
        return [type('Input', (), dict(name='x',
                                       shape=['N', 3, 32, 32]))()]

    def run(self, names, feeds):
        batch = feeds['x']
        self.batch_sizes.append(len(batch))
        return [batch.mean(axis=1, keepdims=True) ** 2]


def test_u2netp_dynamic_batch_runs_once(monkeypatch):
    session = FakeDynamicSession()
    monkeypatch.setattr(u2net, 'open_onnx_session',
                        lambda path, providers=None: session)
    backend = U2NetpSaliency('fake.onnx', input_size=32)
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, shape, np.uint8)
              for shape in [(40, 50, 3), (20, 20, 3), (64, 32, 3)]]
    infos = [dict(img_path=f'{i}.jpg') for i in range(3)]
    maps = backend.predict(images, infos)
    assert session.batch_sizes == [3]
    for img, info, batched in zip(images, infos, maps):
        [single] = backend.predict([img], [info])
        assert batched.shape == img.shape[:2]
        np.testing.assert_allclose(single, batched, atol=1e-4)
        assert 0 <= batched.min() < batched.max() <= 1


def test_u2netp_missing_model(tmp_path):
    path = str(tmp_path / 'nowhere' / 'u2netp.onnx')
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        U2NetpSaliency(path)


def test_u2netp_text_file_is_not_a_model(tmp_path):
    path = tmp_path / 'u2netp.onnx'
    path.write_text('this is not a model\n')
    with pytest.raises(ValueError, match='not a valid ONNX model') as info:
        U2NetpSaliency(str(path))
    assert str(path) in str(info.value)


def test_folder_backend_reads_and_checks(tmp_path):
    img = np.zeros((6, 8, 3), np.uint8)
    write_grey(tmp_path / 'a.png', np.full((6, 8), 51))
    write_grey(tmp_path / 'b.png', np.zeros((5, 8)))
    backend = FolderSaliency(str(tmp_path))
    [sal] = backend.predict([img], [dict(img_path='/data/a.jpg')])
    np.testing.assert_allclose(sal, 0.2, atol=1e-6)
    with pytest.raises(FileNotFoundError) as missing:
        backend.predict([img], [dict(img_path='/data/c.jpg')])
    assert str(tmp_path / 'c.png') in str(missing.value)
    assert '/data/c.jpg' in str(missing.value)
    with pytest.raises(ValueError) as wrong:
        backend.predict([img], [dict(img_path='/data/b.jpg')])
    for part in (str(tmp_path / 'b.png'), '/data/b.jpg', '(5, 8)', '(6, 8)'):
        assert part in str(wrong.value)


def test_load_saliency_map_errors(tmp_path):
    path = str(tmp_path / 'x.png')
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        load_saliency_map(path)
    write_grey(path, np.full((4, 5), 255))
    assert load_saliency_map(path, (4, 5, 3)).min() == 1.0
    with pytest.raises(ValueError) as wrong:
        load_saliency_map(path, (4, 6))
    for part in (path, '(4, 5)', '(4, 6)'):
        assert part in str(wrong.value)


# ------------------------------------------------------ make_saliency_maps


@pytest.fixture
def dataset(init_scope, synthetic_root, tmp_path):
    from mmseg.registry import DATASETS
    return DATASETS.build(
        dict(type='SyntheticWSSSDataset', data_root=synthetic_root,
             num_train=24, num_val=8, image_size=64,
             ann_file='ImageSets/Segmentation/train.txt',
             data_prefix=dict(img_path='JPEGImages',
                              seg_map_path='SegmentationClass'),
             label_cache_dir=str(tmp_path), pipeline=[]))


def folder_bytes(folder):
    return {name: open(osp.join(folder, name), 'rb').read()
            for name in sorted(os.listdir(folder))}


def test_make_saliency_maps_writes_and_skips(dataset, tmp_path):
    out = str(tmp_path / 'sal')
    backend = SpectralResidualSaliency()
    stats = make_saliency_maps(backend, dataset, out, batch_size=5,
                               show_progress=False)
    assert stats == dict(total=24, done_before=0, written=24)
    assert len(glob.glob(osp.join(out, '*.png'))) == 24
    info = dataset.get_data_info(3)
    stem = osp.splitext(osp.basename(info['img_path']))[0]
    sal = load_saliency_map(osp.join(out, stem + '.png'), (64, 64))
    expected = backend.predict([load_image_checked(info['img_path'])],
                               [info])[0]
    assert np.abs(sal - expected).max() <= 0.5 / 255 + 1e-6
    again = make_saliency_maps(backend, dataset, out, show_progress=False)
    assert again == dict(total=24, done_before=24, written=0)


def test_make_saliency_maps_shards_by_rank(dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(per_image, 'get_dist_info', lambda: (1, 2))
    out = str(tmp_path / 'sal')
    stats = make_saliency_maps(SpectralResidualSaliency(), dataset, out,
                               show_progress=False)
    assert stats == dict(total=12, done_before=0, written=12)
    stems = {osp.splitext(osp.basename(
        dataset.get_data_info(i)['img_path']))[0] for i in range(1, 24, 2)}
    assert set(os.listdir(out)) == {s + '.png' for s in stems}


def test_interrupted_run_resumes_identically(dataset, tmp_path, monkeypatch):
    backend = SpectralResidualSaliency()
    reference = str(tmp_path / 'reference')
    make_saliency_maps(backend, dataset, reference, show_progress=False)

    out = str(tmp_path / 'resumed')
    real_save = saliency_generation.write_grey_map
    calls = []

    def save_then_die(path, saliency):
        calls.append(path)
        if len(calls) == 10:  # killed halfway through writing file 10
            with atomic_write(path) as handle:
                handle.write(b'\x89PNG partial')
                raise KeyboardInterrupt
        real_save(path, saliency)

    monkeypatch.setattr(saliency_generation, 'write_grey_map',
                        save_then_die)
    with pytest.raises(KeyboardInterrupt):
        make_saliency_maps(backend, dataset, out, batch_size=4,
                           show_progress=False)
    assert len(os.listdir(out)) == 9
    monkeypatch.setattr(saliency_generation, 'write_grey_map', real_save)
    stats = make_saliency_maps(backend, dataset, out, batch_size=4,
                               show_progress=False)
    assert stats == dict(total=24, done_before=9, written=15)
    assert not glob.glob(osp.join(out, '.tmp-*'))
    assert folder_bytes(out) == folder_bytes(reference)


@pytest.mark.subprocess
def test_make_saliency_tool(synthetic_root, tmp_path):
    out = str(tmp_path / 'sal')
    options = [f'cam_dataloader.dataset.{key}={value}' for key, value in (
        ('data_root', synthetic_root), ('num_train', 24), ('num_val', 8),
        ('image_size', 64))]
    result = subprocess.run(
        [sys.executable, 'tools/make_saliency.py', CONFIG, '--backend',
         'spectral', '--out-dir', out, '--batch-size', '6', '--cfg-options',
         *options],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, \
        result.stdout[-3000:] + result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last == (f'[rank 0/1] 24 saliency maps written, 0 already done, '
                    f'in {out}')
    assert len(glob.glob(osp.join(out, '*.png'))) == 24
