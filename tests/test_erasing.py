"""Adversarial erasing: mask storage, the erasing transform, the loop
(mining, export, checkpoint/resume) and the synthetic AE config."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401
from mmwsss.datasets.erasing_masks import ErasingMaskStore
from mmwsss.utils.regions import load_regions_file, pack, unpack
from conftest import run_tool
from helpers import DATALOADERS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
AE_CONFIG = osp.join(REPO, 'configs', 'ae',
                     'ae_tinyr18-d8_1xb16-20-8-8e_synthetic-96x96.py')


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
    # without the loop's masks the transform refuses to run, naming the
    # image: erasing that silently does nothing is a wrong experiment
    plain = TRANSFORMS.build(dict(type='EraseMinedRegions'))
    with pytest.raises(RuntimeError, match='a.jpg.*AdversarialErasingLoop'):
        plain(dict(img=img, sample_idx=0, img_path='a.jpg'))


def _plain_options(pipeline_run):
    """The pipeline's per-stage options as options of the AE config."""
    return [o.replace('common_cfg_options.', '')
            for o in pipeline_run.options if o.startswith('common_')]


def _resume(pipeline_run, work, *extra):
    """tools/train.py on the AE config, resuming from the pipeline
    classifier's second-to-last epoch (its last step's mining included)."""
    checkpoint = pipeline_run.work_dir / 'classifier' / 'epoch_35.pth'
    return run_tool('tools/train.py', AE_CONFIG, '--work-dir', str(work),
                    '--cfg-options', 'resume=True',
                    f'load_from={checkpoint}',
                    *_plain_options(pipeline_run), *extra, check=False)


@pytest.mark.subprocess
def test_loop_exports_regions_losses_and_checkpoint_state(pipeline_run):
    classifier = pipeline_run.work_dir / 'classifier'
    regions_dir = classifier / 'erasing' / 'regions'
    files = sorted(os.listdir(regions_dir))
    assert len(files) == pipeline_run.num_train
    summary = json.load(open(classifier / 'erasing' / 'erasing.json'))
    assert summary['steps_done'] == 3 and not summary['stopped_early']
    assert len(summary['iteration_losses']) == 3
    data = load_regions_file(str(regions_dir / files[0]))
    assert data['regions'].shape[:2] == (3, len(data['labels']))
    state = torch.load(classifier / 'epoch_36.pth',
                       weights_only=False)['adversarial_erasing']
    assert state['steps_mined'] == 3
    cumulative = state['masks']['cumulative']
    assert cumulative.shape[0] == pipeline_run.num_train and cumulative.any()
    step_cams = os.listdir(classifier / 'erasing' / 'step_cams')
    assert len(step_cams) == 4  # num_vis_images
    with np.load(classifier / 'erasing' / 'step_cams' / step_cams[0]) as cams:
        assert len(cams['cams']) == 3


@pytest.mark.subprocess
def test_resume_mid_run_repeats_the_uninterrupted_run(pipeline_run,
                                                      tmp_path):
    """Resuming from epoch 35 (inside the last erasing step) restores its
    masks, losses and random states: the run ends with the uninterrupted
    run's masks and weights, and the pictures keep every step."""
    work = tmp_path / 'resumed'
    result = _resume(pipeline_run, work)
    assert result.returncode == 0, result.stderr[-3000:]
    final = torch.load(work / 'epoch_36.pth', weights_only=False)
    reference = torch.load(pipeline_run.work_dir / 'classifier' /
                           'epoch_36.pth', weights_only=False)
    ours, theirs = (final['adversarial_erasing'],
                    reference['adversarial_erasing'])
    assert ours['steps_mined'] == theirs['steps_mined'] == 3
    for key in ('cumulative', 'regions'):
        assert torch.equal(ours['masks'][key], theirs['masks'][key]), key
    for key, value in reference['state_dict'].items():
        assert torch.equal(final['state_dict'][key], value), key
    for name in os.listdir(work / 'erasing' / 'step_cams'):
        with np.load(work / 'erasing' / 'step_cams' / name) as data:
            assert len(data['cams']) == 3, name


def _loop_with_losses(losses, ratio=0.9):
    """The loop's convergence rule on recorded losses, without a runner."""
    from types import SimpleNamespace
    from mmwsss.engine.loops.adversarial_erasing_loop import \
        AdversarialErasingLoop as Loop
    loop = SimpleNamespace(losses=losses, stop_loss_ratio=ratio)
    loop.step_loss_range = lambda step: Loop.step_loss_range(loop, step)
    return lambda step: Loop.step_converged(loop, step)


def test_a_step_that_ends_at_the_untrained_loss_has_not_converged():
    # MSRC-17's steps: each ends far below both starts
    converged = _loop_with_losses([[0.31] * 5 + [0.10] * 5,
                                   [0.15] * 5 + [0.07] * 5,
                                   [0.13] * 5 + [0.08] * 5])
    assert converged(0) and converged(1) and converged(2)
    # parts of one figure: step 2 falls from a high start (0.78 -> 0.56)
    # but ends above what the untrained classifier began at (0.55)
    converged = _loop_with_losses([[0.55] * 5 + [0.13] * 5,
                                   [0.78] * 5 + [0.56] * 5])
    assert converged(0) and not converged(1)
    # its own start alone decides when that is the lower one
    converged = _loop_with_losses([[0.55] * 5 + [0.13] * 5,
                                   [0.30] * 5 + [0.28] * 5])
    assert not converged(1)
    assert _loop_with_losses([[0.5], [0.6]], ratio=None)(1)


def test_restoring_weights_after_a_lost_erasing_folder_names_the_file(
        tmp_path):
    """A resumed run whose last mined weights are neither in memory nor on
    disk stops with the path, instead of keeping the unconverged step's
    classifier."""
    from types import SimpleNamespace
    from mmwsss.engine.loops.adversarial_erasing_loop import \
        AdversarialErasingLoop as Loop
    model = torch.nn.Linear(2, 2)
    loop = SimpleNamespace(_converged_state=None, export_dir=str(tmp_path),
                           _model=lambda: model)
    loop._converged_weights_path = \
        lambda: Loop._converged_weights_path(loop)
    with pytest.raises(FileNotFoundError,
                       match='converged_weights.pth does not exist'):
        Loop._restore_converged_weights(loop)
    # on disk (a resumed run), the weights come back from the file
    kept = {k: torch.full_like(v, 3.0) for k, v in model.state_dict().items()}
    torch.save(kept, tmp_path / 'converged_weights.pth')
    Loop._restore_converged_weights(loop)
    assert torch.equal(model.weight, torch.full((2, 2), 3.0))


@pytest.mark.subprocess
def test_a_step_that_does_not_converge_gives_back_the_last_mined_weights(
        pipeline_run, tmp_path):
    """A stop ratio no step can meet stops the loop after step 2: nothing
    is mined from it, and its final checkpoint holds the weights that
    ended step 1 (the CAM stage reads a classifier that classifies)."""
    work = tmp_path / 'stopped'
    run_tool('tools/train.py', AE_CONFIG, '--work-dir', str(work),
             '--cfg-options', 'train_cfg.epochs_per_step=[1,1,1]',
             'train_cfg.stop_loss_ratio=0.001',
             *_plain_options(pipeline_run))
    summary = json.load(open(work / 'erasing' / 'erasing.json'))
    assert summary['stopped_early'] and summary['steps_done'] == 1
    step_one = torch.load(work / 'epoch_1.pth', weights_only=False)
    final = torch.load(work / 'epoch_2.pth', weights_only=False)
    assert not osp.exists(work / 'epoch_3.pth')
    for key, value in step_one['state_dict'].items():
        assert torch.equal(final['state_dict'][key], value), key


@pytest.mark.subprocess
def test_checkpoint_of_other_dataset_size_is_rejected(pipeline_run,
                                                      synthetic_root,
                                                      tmp_path):
    other = str(tmp_path / 'twenty')
    result = _resume(pipeline_run, tmp_path / 'work',
                     *[f'{k}.dataset.{a}={v}' for k in DATALOADERS
                       for a, v in (('data_root', other), ('num_train', 20),
                                    ('num_val', 4))])
    assert result.returncode != 0
    assert f'dataset of {pipeline_run.num_train} images' in result.stderr


@pytest.mark.subprocess
def test_synthetic_ae_config_fused_regions_cover_more_than_step_one(
        tmp_path):
    """The synthetic AE config on the demo's full data (the regime it was
    made for: objects carry a class mark that plain CAMs fire on): the
    union of the erasing steps' regions covers more of the objects than
    step 1 alone."""
    from mmwsss.pseudo_labels.masks import fuse_regions
    from mmwsss.utils.io import read_mask
    data_root = str(tmp_path / 'synthetic')
    work = tmp_path / 'work'
    run_tool('tools/train.py', AE_CONFIG, '--work-dir', str(work),
             '--cfg-options', *[f'{k}.dataset.data_root={data_root}'
                                for k in DATALOADERS])
    summary = json.load(open(work / 'erasing' / 'erasing.json'))
    assert summary['steps_done'] >= 2, summary['step_losses']
    covered = {1: 0, summary['steps_done']: 0}
    regions_dir = work / 'erasing' / 'regions'
    for name in os.listdir(regions_dir):
        gt = read_mask(osp.join(data_root, 'SegmentationClass',
                                name.replace('.npz', '.png')))
        regions = load_regions_file(str(regions_dir / name))['regions']
        objects = (gt > 0) & (gt < 255)
        for steps in covered:
            fused = fuse_regions(regions, steps, gt.shape).any(0)
            covered[steps] += int((fused & objects).sum())
    first, fused = covered[1], covered[summary['steps_done']]
    assert fused > 1.2 * first, (first, fused)
