"""The proposal-based baseline (HCP): selective search and its cache, the
proposals through the data pipeline, the HCP classifier, multi-instance
re-ranking, soft localization maps, their bad inputs, and the synthetic
pipeline end to end."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmseg.structures import SegDataSample

import mmwsss  # noqa: F401
from mmwsss.datasets import SYNTHETIC_CLASSES
from mmwsss.proposals import (Proposals, consistency_scores, load_proposals,
                              make_localization_maps, make_proposals,
                              proposal_class_scores, rerank_class,
                              save_proposals, selective_search, vote_map)
from mmwsss.utils.io import read_mask
from conftest import run_tool
from helpers import DATALOADERS, masks_miou

PIPELINE = 'configs/hcp/hcp_tinyr18-d8_1xb16-12e_synthetic-96x96.py'


def _two_blobs(size=64):
    """A grey image with a red square and a blue disc."""
    image = np.full((size, size, 3), 128, np.uint8)
    image[8:28, 8:28] = (220, 30, 30)
    yy, xx = np.mgrid[:size, :size]
    image[(yy - 44) ** 2 + (xx - 44) ** 2 <= 100] = (30, 30, 220)
    return image


# -------------------------------------------------------- selective search
def test_selective_search_boxes_are_their_regions_and_deterministic():
    image = _two_blobs()
    first = selective_search(image, scales=(50, ), max_count=30, seed=3)
    again = selective_search(image, scales=(50, ), max_count=30, seed=3)
    assert np.array_equal(first.boxes, again.boxes)
    assert 1 < len(first) <= 30
    for index in range(len(first)):
        mask = first.mask(index)
        ys, xs = np.nonzero(mask)
        assert np.array_equal(first.boxes[index],
                              [xs.min(), ys.min(), xs.max() + 1,
                               ys.max() + 1])
    # the red square is found (blurred edges make a rim around it)
    from torchvision.ops import box_iou
    square = np.zeros((64, 64), bool)
    square[8:28, 8:28] = True
    best_mask = max((m & square).sum() / (m | square).sum()
                    for m in map(first.mask, range(len(first))))
    best_box = box_iou(torch.tensor([[8., 8, 28, 28]]),
                       torch.from_numpy(first.boxes)).max().item()
    assert best_mask > 0.6 and best_box > 0.8


def test_proposal_cache_refuses_other_settings_and_resumes(
        init_scope, synthetic_root, tmp_path):
    from mmwsss.registry import DATASETS
    dataset = DATASETS.build(dict(
        type='SyntheticWSSSDataset', data_root=synthetic_root,
        num_train=24, num_val=8, image_size=64,
        ann_file='ImageSets/Segmentation/val.txt',
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClass'),
        label_cache_dir=str(tmp_path / 'cache'), pipeline=[]))
    out = tmp_path / 'proposals'
    settings = dict(max_count=20, scales=(50, ))
    tally = make_proposals(dataset, str(out), settings)
    assert tally['written'] == 8 and tally['whole_image'] == 0
    assert make_proposals(dataset, str(out), settings)['done_before'] == 8
    from mmwsss.utils.io import image_stem
    stem = image_stem(dataset.get_data_info(0))
    path = str(out / f'{stem}.npz')
    assert len(load_proposals(path, settings)) <= 20
    with pytest.raises(ValueError, match=stem + r".npz: proposals made "
                       r"with other settings \(\['max_count'\]"):
        load_proposals(path, dict(settings, max_count=50))


def test_an_image_with_no_proposal_falls_back_to_the_whole_frame():
    flat = np.zeros((20, 30, 3), np.uint8)
    proposals = selective_search(flat, min_size=2.0)  # nothing is big enough
    assert proposals.fallback and len(proposals) == 1
    assert proposals.boxes.tolist() == [[0, 0, 30, 20]]
    assert proposals.mask(0).all()


# ------------------------------------------------------ data pipeline
def test_proposals_follow_resize_and_flip_and_refuse_crops(init_scope,
                                                           tmp_path):
    from mmcv.transforms import Compose
    from PIL import Image
    Image.fromarray(_two_blobs()).save(tmp_path / 'x.png')
    boxes = np.array([[8, 8, 28, 28]], np.float32)
    save_proposals(str(tmp_path / 'x.npz'), Proposals(
        boxes=boxes, grouping=np.zeros(1, np.int64),
        offsets=np.array([0, 1]), members=np.zeros(1, np.int64),
        segmentations=np.zeros((1, 64, 64), np.uint16)), {})
    pipeline = Compose([
        dict(type='LoadCheckedImageFromFile'),
        dict(type='Resize', scale=(128, 128), keep_ratio=True),
        dict(type='RandomFlip', prob=1.0, direction='horizontal'),
        dict(type='LoadProposals'),
        dict(type='PackWSSSInputs')])
    out = pipeline(dict(img_path=str(tmp_path / 'x.png'),
                        proposal_path=str(tmp_path / 'x.npz'),
                        img_labels=[1], seg_fields=[]))
    sample = out['data_samples']
    assert sample.proposals.tolist() == [[0, 0, 128, 128],
                                         [72, 16, 112, 56]]
    assert sample.proposal_index.tolist() == [-1, 0]
    crop = Compose([
        dict(type='LoadCheckedImageFromFile'),
        dict(type='RandomCrop', crop_size=(32, 32)),
        dict(type='LoadProposals')])
    with pytest.raises(ValueError, match='x.png.*was it cropped'):
        crop(dict(img_path=str(tmp_path / 'x.png'),
                  proposal_path=str(tmp_path / 'x.npz'), seg_fields=[]))


# ----------------------------------------------------------- classifier
def _tiny_hcp():
    from mmwsss.registry import MODELS
    return MODELS.build(dict(
        type='HCPClassifier',
        data_preprocessor=dict(type='WSSSDataPreProcessor', mean=[0.] * 3,
                               std=[1.] * 3),
        backbone=dict(type='ResNetV1c', depth=18, stem_channels=8,
                      base_channels=8, out_indices=(3, ),
                      strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4)),
        head=dict(type='HCPHead', in_channels=64, num_classes=4,
                  roi_size=3)))


def test_hcp_image_score_is_the_max_over_proposals(init_scope):
    model = _tiny_hcp().eval()
    torch.manual_seed(0)
    inputs = torch.randn(2, 3, 32, 32)
    first = SegDataSample(metainfo=dict(img_labels=[1, 3]))
    first.proposals = torch.tensor([[0., 0, 32, 32], [0, 0, 16, 16],
                                    [8, 8, 30, 20]])
    bare = SegDataSample(metainfo=dict(img_labels=[2]))  # no proposals
    logits, features = model.proposal_logits(inputs, [first, bare])
    assert [len(x) for x in logits] == [3, 1] and features[0].shape[1] == 64
    image = model.image_logits(inputs, [first, bare])
    assert torch.equal(image[0], logits[0].max(0).values)
    out = model.predict(inputs, [first, bare])
    assert torch.allclose(out[0].pred_cls_scores, torch.sigmoid(image[0]))
    model.train()
    loss = model.loss(inputs, [first, bare])['loss_cls']
    assert torch.isfinite(loss) and loss.requires_grad


# ------------------------------------------------------------ re-ranking
def test_consistency_scores_match_the_definition_in_blocks():
    torch.manual_seed(0)
    feats = torch.nn.functional.normalize(torch.randn(13, 6), dim=1)
    images = torch.tensor([0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4, 4])
    for nearest in (None, 2):
        fast = consistency_scores(feats, images, nearest, block_rows=4)
        for row in range(13):
            per_image = [torch.cdist(feats[row:row + 1],
                                     feats[images == j]).min().item()
                         for j in range(5) if j != images[row]]
            per_image.sort()
            k = len(per_image) if nearest is None else nearest
            assert fast[row].item() == pytest.approx(
                np.mean(per_image[:k]), abs=1e-5)


def test_reranking_prefers_what_other_images_share():
    """Image a's second proposal matches b's and c's: it ranks first,
    although the classifier liked a's first one better."""
    shared, odd = np.array([1., 0, 0]), np.array([0., 1, 0])
    cands = [('a', np.array([4, 7]), np.array([0.9, 0.6]),
              np.stack([odd, shared])),
             ('b', np.array([2]), np.array([0.8]), shared[None]),
             ('c', np.array([5]), np.array([0.7]), shared[None] * 0.99)]
    ranked = rerank_class([(s, i, sc, f.astype(np.float32))
                           for s, i, sc, f in cands])
    assert ranked['a'].tolist() == [7, 4]


def test_a_class_labelled_in_a_single_image_keeps_the_classifier_order():
    ranked = rerank_class([('only', np.array([3, 8, 1]),
                            np.array([0.6, 0.9, 0.7]),
                            np.eye(3, dtype=np.float32))])
    assert ranked['only'].tolist() == [8, 1, 3]


# ------------------------------------------------------ localization maps
def _strips():
    """Three proposals over a 4x6 image of three column segments: the
    left one, left + middle, the right one."""
    seg = np.repeat(np.array([[0, 0, 1, 1, 2, 2]], np.uint16), 4, axis=0)
    return Proposals(boxes=np.zeros((3, 4), np.float32),
                     grouping=np.zeros(3, np.int64),
                     offsets=np.array([0, 1, 3, 4]),
                     members=np.array([0, 0, 1, 2]), segmentations=seg[None])


def test_votes_give_soft_targets_and_missing_classes_ignore_free_pixels():
    strips = _strips()
    ids, probs, ignore = vote_map(strips, {5: np.array([0, 1])}, [5],
                                  (4, 6), vote_top=2)
    assert ids.tolist() == [0, 5]
    assert np.allclose(probs.sum(0), 1) and not ignore.any()
    assert np.allclose(probs[1, 0], [1, 1, 0.5, 0.5, 0, 0])
    # a pixel takes the best rank covering it: the union, graded by rank
    ids, probs, _ = vote_map(strips, {5: np.array([1, 0])}, [5], (4, 6))
    assert np.allclose(probs[1, 0], [1, 1, 1, 1, 0, 0])
    # three classes sharing pixels: 1 - sum rounded to -1.2e-7 here once,
    # which the soft-label loss refuses
    ids, probs, _ = vote_map(strips, {3: np.array([0]), 5: np.array(
        [2, 0, 1]), 7: np.array([2, 0])}, [3, 5, 7], (4, 6))
    assert probs.min() >= 0 and np.allclose(probs.sum(0), 1)
    # class 7 labelled but without a confident proposal
    ids, probs, ignore = vote_map(strips, {5: np.array([0])}, [5, 7],
                                  (4, 6), vote_top=1)
    assert ids.tolist() == [0, 5]
    assert ignore[0].tolist() == [False, False, True, True, True, True]
    ids, probs, ignore = vote_map(strips, {}, [], (4, 6))
    assert ids.tolist() == [0] and np.all(probs == 1) and not ignore.any()


def test_score_votes_grade_the_union_by_the_classifier_probability():
    strips = _strips()
    # proposal 1 (left + middle) scored 0.6, proposal 0 (left) 0.9: a
    # pixel takes the most confident proposal covering it
    ids, probs, ignore = vote_map(strips, {5: np.array([1, 0])}, [5],
                                  (4, 6), weights={5: np.array([0.6, 0.9])})
    assert ids.tolist() == [0, 5] and not ignore.any()
    assert np.allclose(probs[1, 0], [0.9, 0.9, 0.6, 0.6, 0, 0])
    assert np.allclose(probs[0, 0], [0.1, 0.1, 0.4, 0.4, 1, 1])
    # the scores of the ranked proposals come from the score file's rows
    score_file = dict(index=np.array([-1, 2, 0, 1]),
                      scores=np.array([[0.1, 0.2], [0.3, 0.7],
                                       [0.8, 0.55], [0.5, 0.9]]))
    scores = proposal_class_scores(score_file, {2: np.array([1, 0, 2])})
    assert np.allclose(scores[2], [0.9, 0.55, 0.7])


def test_localization_maps_refuse_an_unknown_vote(tmp_path):
    with pytest.raises(ValueError, match='vote must be one of'):
        make_localization_maps(None, str(tmp_path), str(tmp_path),
                               str(tmp_path), vote='majority')


def test_soft_map_targets_skip_ignored_pixels_and_check_the_file(
        init_scope, tmp_path):
    from mmwsss.datasets.transforms import LoadSoftMap
    from mmwsss.utils.io import save_soft_map
    probs = np.stack([np.full((2, 3), 0.25), np.full((2, 3), 0.75)])
    ignore = np.zeros((2, 3), bool)
    ignore[0, 0] = True
    save_soft_map(str(tmp_path / 'm.npz'), [0, 2], probs, ignore)
    results = dict(img_path='x.jpg', soft_map_path=str(tmp_path / 'm.npz'),
                   img_shape=(2, 3), num_classes=4)
    target = LoadSoftMap()(dict(results))['gt_soft_seg']
    assert target.shape == (2, 3, 4)
    assert target[0, 0].sum() == 0 and np.allclose(target[1, 1],
                                                   [0.25, 0, 0.75, 0])
    with pytest.raises(ValueError, match='m.npz: soft map size'):
        LoadSoftMap()(dict(results, img_shape=(4, 4)))
    with pytest.raises(ValueError, match='m.npz: class ids'):
        LoadSoftMap()(dict(results, num_classes=2))


# --------------------------------------------------------- the pipeline
@pytest.mark.subprocess
def test_synthetic_hcp_pipeline_end_to_end(synthetic_root, tmp_path):
    opts = [f'common_cfg_options.{k}.dataset.{a}={v}' for k in DATALOADERS
            for a, v in (('num_train', 24), ('num_val', 8),
                         ('image_size', 64))]
    work = tmp_path / 'hcp'
    run_tool('tools/train.py', PIPELINE, '--work-dir', str(work),
             '--cfg-options', f'data_root={synthetic_root}', *opts)
    assert len(os.listdir(work / 'proposals' / 'proposals')) == 32
    maps = sorted(os.listdir(work / 'localization_maps' / 'maps'))
    assert len(maps) == 24
    assert len(os.listdir(work / 'localization_maps' / 'masks')) == 24
    marker = json.load(open(work / 'localization_maps' / 'stage_done.json'))
    # the maps place only the image's labelled classes (weak supervision)
    lost = 0
    for name in os.listdir(work / 'localization_maps' / 'masks'):
        placed = set(np.unique(read_mask(str(
            work / 'localization_maps' / 'masks' / name)))) - {0, 255}
        labelled = set(np.unique(read_mask(osp.join(
            synthetic_root, 'SegmentationClass', name)))) - {0, 255}
        assert placed <= labelled, name
        lost += len(labelled - placed)
    # a labelled class without any confident proposal has no voter, so it
    # is missing from its mask: the tally cannot exceed what the masks lack
    assert 0 <= marker['tally']['missing'] <= lost
    # the score stage scored these masks against the ground truth, and the
    # objects they place are found ones: calling those pixels background
    # instead scores lower (all-background masks score 16.9 here, above
    # both: the tiny run leaves a third of the background ignored)
    masks = work / 'localization_maps' / 'masks'
    pairs = [(str(masks / name),
              osp.join(synthetic_root, 'SegmentationClass', name))
             for name in os.listdir(masks)]
    miou = json.load(open(work / 'score_maps' / 'scores.json'))['mIoU']
    assert miou == pytest.approx(masks_miou(pairs, len(SYNTHETIC_CLASSES)))
    assert miou > masks_miou(pairs, len(SYNTHETIC_CLASSES),
                             objects_erased=True)
    assert len(os.listdir(work / 'test' / 'predictions')) == 8
    # a rerun finds every stage done
    again = run_tool('tools/train.py', PIPELINE, '--work-dir', str(work),
                     '--cfg-options', f'data_root={synthetic_root}', *opts)
    log = again.stdout + again.stderr
    assert log.count('complete, skipped') == 8 and 'running in' not in log
