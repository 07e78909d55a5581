"""Adversarial erasing: mask storage, the erasing transform, the hook
(mining, export, checkpoint/resume) and the synthetic AE config."""
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401
from helpers import tiny_synthetic_options
from mmwsss.engine.erasing_masks import ErasingMaskStore, pack, unpack
from mmwsss.utils.io import load_regions_file

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
AE_CONFIG = osp.join(REPO, 'configs', 'ae', 'ae_tinyres_synthetic.py')


def test_pack_roundtrip_and_size():
    rng = np.random.default_rng(0)
    mask = rng.random((64, 64)) > 0.7
    row = pack(mask)
    assert row.nbytes == 512  # 64x64 bits
    assert np.array_equal(unpack(row, 64), mask)


def test_store_accumulates_and_keeps_steps_apart():
    store = ErasingMaskStore([[1, 2], [], [3]], grid=8, max_steps=2)
    first = np.zeros((2, 8, 8), bool)
    first[0, :2] = True
    store.add_regions(0, 0, first)
    second = np.zeros((2, 8, 8), bool)
    second[1, -2:] = True
    store.add_regions(1, 0, second)
    store.add_regions(0, 1, np.zeros((0, 8, 8), bool))
    erased = store.erase_mask(0)
    assert erased[:2].all() and erased[-2:].all() and not erased[3:5].any()
    regions = store.image_regions(0, steps=2)
    assert regions.shape == (2, 2, 8, 8)
    assert np.array_equal(regions[0], first)
    assert np.array_equal(regions[1], second)
    assert not store.erase_mask(2).any()


def test_store_rejects_checkpoint_of_other_dataset():
    store = ErasingMaskStore([[1], [2]], grid=8, max_steps=2)
    other = ErasingMaskStore([[1], [2], [1]], grid=8, max_steps=2)
    with pytest.raises(ValueError, match='dataset of 3 images'):
        store.load_state_dict(other.state_dict(), source='ckpt.pth')


def test_erase_transform_follows_geometric_augmentation():
    from mmcv.transforms import Compose
    init_default_scope('mmseg')
    from mmseg.registry import TRANSFORMS
    erase = TRANSFORMS.build(dict(type='EraseMinedRegions'))
    flip = TRANSFORMS.build(dict(type='RandomFlip', prob=1.0,
                                 direction='horizontal'))
    store = ErasingMaskStore([[1]], grid=4, max_steps=1)
    region = np.zeros((1, 4, 4), bool)
    region[0, :, 0] = True  # left column of cells
    store.add_regions(0, 0, region)
    erase.store, erase.fill_bgr = store, (10, 20, 30)
    img = np.full((8, 8, 3), 200, np.uint8)
    out = Compose([erase, flip])(dict(img=img, sample_idx=0,
                                      img_shape=(8, 8)))
    assert (out['img'][:, -2:] == (10, 20, 30)).all()  # moved right
    assert (out['img'][:, :-2] == 200).all()
    # without a store the transform changes nothing
    plain = TRANSFORMS.build(dict(type='EraseMinedRegions'))
    assert plain(dict(img=img, sample_idx=0))['img'] is img


def run_train(*args):
    result = subprocess.run(
        [sys.executable, 'tools/train.py', AE_CONFIG, *args], cwd=REPO,
        capture_output=True, text=True, timeout=900)
    return result


def short_schedule():
    return ['train_cfg.max_epochs=3', 'train_cfg.val_interval=3',
            'custom_hooks.0.epochs_per_step=[1,1,1]',
            'custom_hooks.0.stop_loss_ratio=None',
            'param_scheduler.0.periods=[1,1,1]']


@pytest.fixture(scope='module')
def short_run(tmp_path_factory, synthetic_root):
    work = tmp_path_factory.mktemp('ae')
    result = run_train('--work-dir', str(work), '--cfg-options',
                       *short_schedule(),
                       *tiny_synthetic_options(synthetic_root))
    assert result.returncode == 0, result.stderr[-3000:]
    return work


def test_hook_exports_regions_losses_and_checkpoint_state(short_run):
    regions_dir = short_run / 'erasing' / 'regions'
    files = sorted(os.listdir(regions_dir))
    assert len(files) == 24
    summary = json.load(open(short_run / 'erasing' / 'erasing.json'))
    assert summary['steps_done'] == 3
    assert len(summary['iteration_losses']) == 3
    data = load_regions_file(str(regions_dir / files[0]))
    assert data['regions'].shape[:2] == (3, len(data['labels']))
    ckpt = torch.load(short_run / 'epoch_2.pth', weights_only=False)
    state = ckpt['adversarial_erasing']
    assert state['steps_done'] == 2
    cumulative = state['masks']['cumulative']
    assert cumulative.shape[0] == 24 and cumulative.any()
    assert os.listdir(short_run / 'erasing' / 'step_cams')


def test_resume_mid_run_continues_with_the_same_masks(short_run,
                                                      synthetic_root,
                                                      tmp_path):
    """Resuming from epoch 2's checkpoint (inside the run) restores its
    masks; the resumed run's final masks extend them."""
    work = tmp_path / 'resumed'
    work.mkdir()
    ckpt = torch.load(short_run / 'epoch_2.pth', weights_only=False)
    before = ckpt['adversarial_erasing']['masks']['cumulative']
    result = run_train('--work-dir', str(work), '--cfg-options',
                       f'resume=True', f'load_from={short_run}/epoch_2.pth',
                       *short_schedule(),
                       *tiny_synthetic_options(synthetic_root))
    assert result.returncode == 0, result.stderr[-3000:]
    final = torch.load(work / 'epoch_3.pth', weights_only=False)
    after = final['adversarial_erasing']['masks']['cumulative']
    assert final['adversarial_erasing']['steps_done'] == 3
    # cumulative masks only grow: every bit set before is still set
    assert torch.equal(after & before, before)


def test_checkpoint_of_other_dataset_size_is_rejected(short_run,
                                                      synthetic_root,
                                                      tmp_path):
    opts = [o.replace('num_train=24', 'num_train=20')
            for o in tiny_synthetic_options(synthetic_root + '_20')]
    result = run_train('--work-dir', str(tmp_path), '--cfg-options',
                       'resume=True', f'load_from={short_run}/epoch_2.pth',
                       *short_schedule(), *opts)
    assert result.returncode != 0
    assert 'dataset of 24 images' in result.stderr


def test_synthetic_ae_config_fused_regions_cover_more_than_step_one(
        tmp_path):
    """The CI run of the synthetic AE config: the union of the erasing
    steps' regions covers more of the objects than step 1 alone."""
    from mmwsss.apis.pseudo_label_generation import fuse_regions
    from mmwsss.datasets import read_mask
    data_root = str(tmp_path / 'synthetic')
    work = tmp_path / 'work'
    result = run_train('--work-dir', str(work), '--cfg-options',
                       *[f'{k}.dataset.data_root={data_root}'
                         for k in ('train_dataloader', 'val_dataloader',
                                   'test_dataloader', 'cam_dataloader')])
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.load(open(work / 'erasing' / 'erasing.json'))
    assert summary['steps_done'] >= 2, summary['step_losses']
    covered = {1: 0, summary['steps_done']: 0}
    object_pixels = 0
    regions_dir = work / 'erasing' / 'regions'
    for name in os.listdir(regions_dir):
        gt = read_mask(osp.join(data_root, 'SegmentationClass',
                                name.replace('.npz', '.png')))
        regions = load_regions_file(str(regions_dir / name))['regions']
        object_pixels += int(((gt > 0) & (gt < 255)).sum())
        for steps in covered:
            fused = fuse_regions(regions, steps, gt.shape).any(0)
            covered[steps] += int((fused & (gt > 0) & (gt < 255)).sum())
    first, fused = covered[1], covered[summary['steps_done']]
    assert fused > 1.2 * first, (first, fused, object_pixels)
