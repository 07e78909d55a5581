"""Pseudo-mask composition (every mode), the resumable writer, and its
bad inputs."""
import glob
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

import mmwsss  # noqa: F401
from mmwsss.pseudo_labels.masks import compose_pseudo_label, make_pseudo_labels
from mmwsss.utils.io import read_mask, save_cam_file, save_regions_file
from mmwsss.utils.io import write_grey_map as save_saliency_map
from mmwsss.utils.labels import classes_never_alone

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_cam_mode_thresholds_background():
    cams = np.zeros((1, 2, 2), np.float32)
    cams[0, 0, 0] = 0.9
    out = compose_pseudo_label('cam', (2, 2), [4], cams=cams,
                               bg_threshold=0.5)
    assert out.tolist() == [[4, 0], [0, 0]]


def test_ae_saliency_mode_regions_saliency_and_ignore():
    regions = np.zeros((2, 2, 4, 4), bool)  # 2 steps, 2 classes
    regions[0, 0, :2, :2] = True  # class 3, step 1
    regions[1, 0, :2, 2:] = True  # class 3, step 2
    regions[0, 1, 2:, 2:] = True  # class 7
    saliency = np.ones((4, 4), np.float32)
    saliency[3, 0] = 0.0  # low saliency: background
    out = compose_pseudo_label('ae_saliency', (4, 4), [3, 7],
                               regions=regions, saliency=saliency,
                               fuse_steps=2, saliency_threshold=0.5)
    assert out[:2].tolist() == [[3, 3, 3, 3]] * 2
    assert out[2:, 2:].tolist() == [[7, 7]] * 2
    assert out[3, 0] == 0 and out[2, 0] == 255
    # a saliency miss inside mined regions is ignored, never background
    saliency[0, 0] = 0.0
    missed = compose_pseudo_label('ae_saliency', (4, 4), [3, 7],
                                  regions=regions, saliency=saliency,
                                  fuse_steps=2, saliency_threshold=0.5)
    assert missed[0, 0] == 255 and missed[3, 0] == 0
    only_first = compose_pseudo_label('ae', (4, 4), [3, 7],
                                      regions=regions, fuse_steps=1)
    assert only_first[:2, 2:].tolist() == [[0, 0]] * 2


def test_overlapping_regions_go_to_the_higher_cam():
    regions = np.ones((1, 2, 2, 2), bool)
    cams = np.stack([np.full((2, 2), 0.2), np.full((2, 2), 0.6)])
    cams[0, 0, 0] = 0.9
    out = compose_pseudo_label('ae', (2, 2), [1, 2], cams=cams,
                               regions=regions, fuse_steps=1)
    assert out.tolist() == [[1, 2], [2, 2]]


def test_ae_mode_scores_the_regions_alone():
    """Given CAMs, ``ae`` still labels only the erasing regions: a CAM
    that fires everywhere must not turn the background into objects."""
    regions = np.zeros((1, 1, 2, 2), bool)
    regions[0, 0, 0] = True
    cams = np.ones((1, 2, 2), np.float32)
    out = compose_pseudo_label('ae', (2, 2), [4], cams=cams,
                               regions=regions, fuse_steps=1)
    assert out.tolist() == [[4, 4], [0, 0]]


def test_cam_saliency_labels_only_where_both_cues_agree():
    """Salient + CAM: the class; neither: background; one of the two:
    ignored (a salient-object miss must not make object evidence
    background, nor salient clutter an object)."""
    cams = np.array([[[0.05, 0.8, 0.02], [0.8, 0.8, 0.5]]], np.float32)
    saliency = np.array([[1.0, 1.0, 0.1], [0.0, 1.0, 0.2]], np.float32)
    out = compose_pseudo_label('cam_saliency', (2, 3), [5], cams=cams,
                               saliency=saliency, saliency_threshold=0.5,
                               cam_threshold=0.1)
    assert out.tolist() == [[255, 5, 0], [255, 5, 255]]


def test_ae_saliency_with_cams_adds_cam_claims_and_picks_by_cam():
    regions = np.zeros((1, 2, 2, 2), bool)
    regions[0, 0, 0, 0] = True  # class 2 mined at the top-left only
    cams = np.stack([np.full((2, 2), 0.05), np.full((2, 2), 0.05)])
    cams[1, 1, 1] = 0.7  # class 4's CAM claims the bottom-right ...
    cams[1, 0, 1] = 0.7  # ... and a non-salient pixel no region covers
    saliency = np.ones((2, 2), np.float32)
    saliency[0, 1] = 0.0
    out = compose_pseudo_label('ae_saliency', (2, 2), [2, 4], cams=cams,
                               regions=regions, saliency=saliency,
                               fuse_steps=1, saliency_threshold=0.5)
    # the CAM adds objects where saliency agrees; only mined regions (not
    # a CAM alone) keep a non-salient pixel from being background
    assert out.tolist() == [[2, 0], [255, 4]]


def test_empty_labels_give_background():
    empty = compose_pseudo_label('ae_saliency', (2, 2), [])
    assert empty.tolist() == [[0, 0], [0, 0]]


@pytest.fixture
def inputs(synthetic_root, tmp_path):
    """Oracle-ish inputs: regions/CAMs from the GT masks, saliency = object
    mask blurred."""
    init_default_scope('mmseg')
    dataset = DATASETS.build(dict(
        type='SyntheticWSSSDataset', data_root=synthetic_root,
        num_train=24, num_val=8, image_size=64,
        ann_file='ImageSets/Segmentation/train.txt',
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClass'),
        label_cache_dir=str(tmp_path / 'cache'), pipeline=[]))
    dirs = {k: tmp_path / k for k in ('cams', 'regions', 'saliency')}
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        gt = read_mask(info['seg_map_path'])
        labels = info['img_labels']
        stem = osp.splitext(osp.basename(info['img_path']))[0]
        masks = np.stack([gt == c for c in labels]) if labels else \
            np.zeros((0, 64, 64), bool)
        save_cam_file(str(dirs['cams'] / f'{stem}.npz'),
                      masks.astype(np.float32), labels)
        cells = masks.reshape(len(labels), 16, 4, 16, 4).mean((2, 4)) > 0.5
        save_regions_file(str(dirs['regions'] / f'{stem}.npz'),
                          cells[None], labels)
        save_saliency_map(str(dirs['saliency'] / f'{stem}.png'),
                          (gt > 0).astype(np.float32))
    return dataset, {k: str(v) for k, v in dirs.items()}


def test_writer_is_resumable_and_deterministic(inputs, tmp_path,
                                               monkeypatch):
    dataset, dirs = inputs
    kwargs = dict(mode='ae_saliency', cam_dir=dirs['cams'],
                  regions_dir=dirs['regions'], saliency_dir=dirs['saliency'],
                  fuse_steps=1, show_progress=False)
    full = tmp_path / 'full'
    make_pseudo_labels(dataset, str(full), **kwargs)
    import mmwsss.pseudo_labels.masks as generation
    real = generation.write_label_png
    calls = {'n': 0}

    def dying(path, *args):
        calls['n'] += 1
        if calls['n'] == 7:
            raise KeyboardInterrupt('killed')
        real(path, *args)

    monkeypatch.setattr(generation, 'write_label_png', dying)
    resumed = tmp_path / 'resumed'
    with pytest.raises(KeyboardInterrupt):
        make_pseudo_labels(dataset, str(resumed), **kwargs)
    monkeypatch.setattr(generation, 'write_label_png', real)
    stats = make_pseudo_labels(dataset, str(resumed), **kwargs)
    assert stats == dict(total=24, done_before=6, written=18)
    assert not glob.glob(str(resumed / '.tmp-*'))
    for path in glob.glob(str(full / '*.png')):
        with open(path, 'rb') as a, open(path.replace('full', 'resumed'),
                                         'rb') as b:
            assert a.read() == b.read()
    # oracle inputs: the masks agree with the GT on most pixels
    info = dataset.get_data_info(1)
    stem = osp.splitext(osp.basename(info['img_path']))[0]
    pseudo = read_mask(str(full / f'{stem}.png'))
    gt = read_mask(info['seg_map_path'])
    labelled = pseudo != 255
    assert (pseudo[labelled] == gt[labelled]).mean() > 0.95


def test_crf_refinement_runs_in_workers(inputs, tmp_path):
    dataset, dirs = inputs
    one = tmp_path / 'w1'
    two = tmp_path / 'w2'
    for out, workers in ((one, 1), (two, 2)):
        make_pseudo_labels(dataset, str(out), 'ae_saliency',
                           regions_dir=dirs['regions'],
                           saliency_dir=dirs['saliency'], fuse_steps=1,
                           crf='irn', num_workers=workers,
                           show_progress=False)
    for path in glob.glob(str(one / '*.png')):
        assert np.array_equal(read_mask(path),
                              read_mask(path.replace('w1', 'w2')))
        assert 255 not in read_mask(path)  # the CRF fills ignored pixels


def test_missing_or_misfit_saliency_is_named(inputs, tmp_path):
    dataset, dirs = inputs
    info = dataset.get_data_info(0)
    stem = osp.splitext(osp.basename(info['img_path']))[0]
    os.remove(osp.join(dirs['saliency'], stem + '.png'))
    with pytest.raises(FileNotFoundError, match=stem):
        make_pseudo_labels(dataset, str(tmp_path / 'a'), 'ae_saliency',
                           regions_dir=dirs['regions'],
                           saliency_dir=dirs['saliency'],
                           show_progress=False)
    save_saliency_map(osp.join(dirs['saliency'], stem + '.png'),
                      np.zeros((10, 12), np.float32))
    with pytest.raises(ValueError, match=stem):
        make_pseudo_labels(dataset, str(tmp_path / 'b'), 'ae_saliency',
                           regions_dir=dirs['regions'],
                           saliency_dir=dirs['saliency'],
                           show_progress=False)


def test_mode_inputs_are_checked(inputs, tmp_path):
    dataset, dirs = inputs
    with pytest.raises(ValueError, match='needs saliency'):
        make_pseudo_labels(dataset, str(tmp_path), 'ae_saliency',
                           regions_dir=dirs['regions'])
    with pytest.raises(FileNotFoundError, match='nowhere'):
        make_pseudo_labels(dataset, str(tmp_path), 'cam',
                           cam_dir=str(tmp_path / 'nowhere'))


@pytest.mark.subprocess
def test_tool_runs_and_scores(inputs, synthetic_root, tmp_path):
    _, dirs = inputs
    config = osp.join(REPO, 'configs', 'cam',
                      'cam_tinyr18-d8_1xb16-20e_synthetic-96x96.py')
    opts = ['--cfg-options'] + [
        f'cam_dataloader.dataset.{k}' for k in (
            f'data_root={synthetic_root}', 'num_train=24', 'num_val=8',
            'image_size=64')]
    out = tmp_path / 'pl'
    result = subprocess.run(
        [sys.executable, 'tools/make_pseudo_labels.py', config, '--mode',
         'cam', '--cams', dirs['cams'], '--out-dir', str(out), *opts],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert '24 pseudo masks written' in result.stdout
    scored = subprocess.run(
        [sys.executable, 'tools/eval_pseudo_labels.py', config, '--labels',
         str(out), *opts], cwd=REPO, capture_output=True, text=True,
        timeout=300)
    assert scored.returncode == 0, scored.stderr[-2000:]
    assert 'mIoU 100.00' in scored.stdout


# ------------------------------------------------- classes tags can't split
def test_classes_never_alone_finds_tags_that_always_come_together():
    """MSRC-17's case: every image tagged face is tagged body too (body
    also appears alone), so face is flagged and body is not."""
    tags = [[5, 15], [5, 15, 11], [15], [3], [], [5, 15]]
    assert classes_never_alone(tags) == [(5, [15], 3), (11, [5, 15], 1)]
    # a class seen once is flagged with all its image's other tags
    assert classes_never_alone([[1, 2, 4], [2]]) == [(1, [2, 4], 1),
                                                     (4, [1, 2], 1)]
    assert classes_never_alone([[1], [2], [1, 2]]) == []


def test_cue_counts_say_where_saliency_and_classes_disagree():
    """The train-side signals of mmwsss.pseudo_labels.cue_checks on a 4x4
    image: class 3 claims the top half, class 7 the top-right quarter and
    the right column; saliency covers the top half and the left column."""
    from mmwsss.pseudo_labels.cue_checks import image_cue_counts
    regions = np.zeros((1, 2, 4, 4), bool)
    regions[0, 0, :2, :] = True  # class 3: 8 cells
    regions[0, 1, :2, 2:] = True  # class 7: 4 of them too ...
    regions[0, 1, 2:, 3] = True  # ... and 2 below, not salient
    saliency = np.zeros((4, 4), np.float32)
    saliency[:2, :] = 1.0
    saliency[:, 0] = 1.0  # 2 salient cells nobody claims
    cues = dict(shape=(4, 4), labels=[3, 7], cams=None, regions=regions,
                saliency=saliency)
    counts = image_cue_counts(cues, 'ae_saliency',
                              dict(fuse_steps=1, saliency_threshold=0.5,
                                   cam_threshold=0.1))
    assert counts == dict(salient=10, salient_unclaimed=2, mined=10,
                          mined_not_salient=2, claimed=8, contested=4)
    assert image_cue_counts(dict(cues, labels=[]), 'ae_saliency', {}) == {}


def test_folder_tally_counts_tags_without_a_pixel(tmp_path):
    """A tag whose class got no pixel of its image is a lost tag (a small
    object the cues missed), counted without any ground truth."""
    from mmwsss.pseudo_labels import tally_label_folder
    from mmwsss.utils.io import write_label_png

    class Images:
        infos = [dict(img_path='a.jpg', img_labels=[1, 2]),
                 dict(img_path='b.jpg', img_labels=[2]),
                 dict(img_path='c.jpg', img_labels=[])]

        def __len__(self):
            return len(self.infos)

        def get_data_info(self, index):
            return self.infos[index]

    masks = dict(a=[[1, 1], [0, 255]], b=[[2, 0], [0, 0]], c=[[0, 0]] * 2)
    for stem, mask in masks.items():
        write_label_png(str(tmp_path / f'{stem}.png'),
                        np.array(mask, np.uint8), [[0, 0, 0]] * 3)
    tally = tally_label_folder(Images(), str(tmp_path))
    assert tally['lost_tags'] == 1  # a's class 2
    assert tally['lost_tag_share'] == pytest.approx(100.0 / 3)
    assert tally['empty_labelled_images'] == 0


def test_contested_pixels_go_to_the_higher_cam_or_the_smaller_claim():
    """A part inside a whole (a face on a body): the whole's regions cover
    the part, and its blurred CAM outranks the part's there.  By default
    (the paper's rule, every mode) the CAM decides; ``smaller_claim``
    gives the part its pixels in the saliency modes."""
    regions = np.zeros((1, 2, 4, 4), bool)
    regions[0, 0] = True  # class 1, the whole
    regions[0, 1, :2, :2] = True  # class 2, a part inside it
    cams = np.stack([np.full((4, 4), 0.9), np.full((4, 4), 0.5)])
    saliency = np.ones((4, 4), np.float32)
    cues = dict(cams=cams, regions=regions, saliency=saliency,
                fuse_steps=1, cam_threshold=0.95)
    default = compose_pseudo_label('ae_saliency', (4, 4), [1, 2], **cues)
    assert (default == 1).all()
    smaller = compose_pseudo_label('ae_saliency', (4, 4), [1, 2], **cues,
                                   contested='smaller_claim')
    assert (smaller[:2, :2] == 2).all()
    assert (smaller == 1).sum() == 12
    paper = compose_pseudo_label('ae', (4, 4), [1, 2], cams=cams,
                                 regions=regions, fuse_steps=1,
                                 contested='smaller_claim')
    assert (paper == 1).all()  # the ae rung keeps the paper's rule
    with pytest.raises(ValueError, match='contested'):
        compose_pseudo_label('ae_saliency', (4, 4), [1, 2], **cues,
                             contested='largest')
