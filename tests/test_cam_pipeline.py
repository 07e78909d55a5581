"""make_cams (batched, resumable, atomic) and pseudo-label scoring."""
import glob
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, MODELS

import mmwsss  # noqa: F401
from mmwsss.evaluation import (ConfusionMatrix, score_cam_folder,
                               score_label_folder)
from mmwsss.pseudo_labels import make_cams
from mmwsss.utils.io import load_cam_file

DEMO_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', 'cam',
    'cam_tinyr18-d8_1xb16-20e_synthetic-96x96.py')


@pytest.fixture
def demo_cfg(synthetic_root):
    cfg = Config.fromfile(DEMO_CONFIG)
    for key in ('train_dataloader', 'val_dataloader', 'cam_dataloader'):
        cfg[key].dataset.update(
            data_root=synthetic_root, num_train=24, num_val=8,
            image_size=64)
    return cfg


@pytest.fixture
def cam_dataset(demo_cfg, tmp_path):
    init_default_scope('mmseg')
    demo_cfg.cam_dataloader.dataset.label_cache_dir = str(tmp_path / 'cache')
    return DATASETS.build(demo_cfg.cam_dataloader.dataset)


@pytest.fixture
def model(demo_cfg):
    init_default_scope('mmseg')
    torch.manual_seed(0)
    return MODELS.build(demo_cfg.model).eval()


def test_make_cams_writes_one_file_per_image(model, cam_dataset, tmp_path):
    out = tmp_path / 'cams'
    stats = make_cams(model, cam_dataset, str(out), batch_size=5,
                      show_progress=False)
    assert stats == dict(total=24, done_before=0, written=24)
    for index in range(len(cam_dataset)):
        info = cam_dataset.get_data_info(index)
        stem = osp.splitext(osp.basename(info['img_path']))[0]
        data = load_cam_file(str(out / f'{stem}.npz'))
        assert data['labels'].tolist() == info['img_labels']
        assert data['cams'].shape == (len(info['img_labels']), 64, 64)
        if len(info['img_labels']):
            assert np.allclose(data['cams'].reshape(
                len(info['img_labels']), -1).max(1), 1.0, atol=1e-3)


def test_batching_does_not_change_cams(model, cam_dataset, tmp_path):
    make_cams(model, cam_dataset, str(tmp_path / 'b1'), batch_size=1,
              show_progress=False)
    make_cams(model, cam_dataset, str(tmp_path / 'b7'), batch_size=7,
              show_progress=False)
    for path in glob.glob(str(tmp_path / 'b1' / '*.npz')):
        a = load_cam_file(path)['cams']
        b = load_cam_file(path.replace('b1', 'b7'))['cams']
        assert np.allclose(a, b, atol=2e-3)


def test_killed_run_resumes_and_matches_uninterrupted(
        model, cam_dataset, tmp_path, monkeypatch):
    full = tmp_path / 'full'
    make_cams(model, cam_dataset, str(full), batch_size=4,
              show_progress=False)

    import mmwsss.pseudo_labels.cams as generation
    real_save = generation.save_cam_file
    calls = {'n': 0}

    def dying_save(path, *args, **kwargs):
        calls['n'] += 1
        if calls['n'] == 10:
            # die half way through writing: the temp file must not survive
            raise KeyboardInterrupt('killed')
        real_save(path, *args, **kwargs)

    monkeypatch.setattr(generation, 'save_cam_file', dying_save)
    resumed = tmp_path / 'resumed'
    with pytest.raises(KeyboardInterrupt):
        make_cams(model, cam_dataset, str(resumed), batch_size=4,
                  show_progress=False)
    assert len(os.listdir(resumed)) == 9
    monkeypatch.setattr(generation, 'save_cam_file', real_save)
    stats = make_cams(model, cam_dataset, str(resumed), batch_size=4,
                      show_progress=False)
    assert stats['done_before'] == 9 and stats['written'] == 15
    assert not glob.glob(str(resumed / '.tmp-*'))
    for path in glob.glob(str(full / '*.npz')):
        expected = load_cam_file(path)
        got = load_cam_file(path.replace('full', 'resumed'))
        assert np.array_equal(expected['cams'], got['cams'])


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    from mmwsss.utils.io import atomic_write
    target = tmp_path / 'x.npz'
    with pytest.raises(RuntimeError):
        with atomic_write(str(target)) as handle:
            handle.write(b'partial')
            raise RuntimeError('crash')
    assert os.listdir(tmp_path) == []


def test_cam_scoring_on_oracle_cams_is_perfect(cam_dataset, tmp_path):
    """CAMs equal to the GT masks score 100 mIoU at any threshold in (0,1)."""
    from mmwsss.utils.io import read_mask, save_cam_file
    for index in range(len(cam_dataset)):
        info = cam_dataset.get_data_info(index)
        gt = read_mask(info['seg_map_path'])
        cams = np.stack([(gt == c).astype(np.float32)
                         for c in info['img_labels']]) \
            if info['img_labels'] else np.zeros((0, ) + gt.shape)
        stem = osp.splitext(osp.basename(info['img_path']))[0]
        save_cam_file(str(tmp_path / f'{stem}.npz'), cams,
                      info['img_labels'])
    results = score_cam_folder(cam_dataset, str(tmp_path),
                               np.array([0.2, 0.4, 0.6, 0.8]))
    assert len(results['sweep']) == 4
    assert results['best']['mIoU'] == pytest.approx(100.0)
    assert results['best']['recall'] == pytest.approx(100.0)


def test_label_scoring_counts_ignored_pixels_against_recall(cam_dataset,
                                                            tmp_path):
    from PIL import Image

    from mmwsss.utils.io import read_mask
    for index in range(len(cam_dataset)):
        info = cam_dataset.get_data_info(index)
        gt = read_mask(info['seg_map_path']).astype(np.uint8)
        gt[:, :8] = 255  # pseudo label leaves a strip unlabelled
        Image.fromarray(gt).save(
            tmp_path / osp.basename(info['seg_map_path']))
    scores = score_label_folder(cam_dataset, str(tmp_path))
    assert scores['precision'] == pytest.approx(100.0)
    assert scores['recall'] < 100.0


def test_missing_output_file_is_named(cam_dataset, tmp_path):
    with pytest.raises(FileNotFoundError, match='missing output'):
        score_label_folder(cam_dataset, str(tmp_path))


def test_confusion_matrix_known_values():
    matrix = ConfusionMatrix(3)
    gt = np.array([[0, 0, 1, 1], [2, 2, 255, 1]])
    pred = np.array([[0, 1, 1, 1], [2, 0, 2, 255]])
    matrix.update(pred, gt)
    scores = matrix.scores(['bg', 'a', 'b'])
    # bg: tp1 fp1 fn1 -> 1/3 ; a: tp2 fp1 fn1(ignored pred) -> 2/4 ;
    # b: tp1 fn1 -> 1/2
    assert scores['per_class']['bg']['IoU'] == pytest.approx(100 / 3)
    assert scores['per_class']['a']['IoU'] == pytest.approx(50.0)
    assert scores['per_class']['b']['IoU'] == pytest.approx(50.0)
    assert scores['per_class']['a']['precision'] == pytest.approx(200 / 3)
    with pytest.raises(ValueError, match='outside'):
        matrix.update(np.array([[5]]), np.array([[0]]), 'bad.png')


def test_image_label_metric_ap_skips_classes_without_positives():
    from mmwsss.evaluation import multilabel_scores

    # class 0: positives ranked 1st and 3rd -> AP (1 + 2/3) / 2; class 1
    # has no positive image: left out of the mean instead of counting 0
    scores = multilabel_scores(np.array([[0.9, 0.2], [0.8, 0.1], [0.1, 0.3]]),
                               np.array([[1, 0], [0, 0], [1, 0]]))
    assert scores['mAP'] == pytest.approx(100 * (1 + 2 / 3) / 2)
    perfect = multilabel_scores(
        np.array([[0.9, 0.1], [0.2, 0.7]]), np.array([[1, 0], [0, 1]]))
    assert perfect['mAP'] == pytest.approx(100.0)
    assert perfect['F1_micro'] == pytest.approx(100.0)
    assert perfect['F1_macro'] == pytest.approx(100.0)
