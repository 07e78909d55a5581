"""The affinity rung: AffinityNet's pairs and loss, and the random walk
that completes pseudo masks along learnt affinities."""
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmwsss.models.segmentors.affinity_net import (affinity_loss,
                                                   pair_affinities,
                                                   pair_offsets, pair_targets)
from mmwsss.pseudo_labels.affinity import (affinity_matrix, propagate_mask,
                                           seed_scores)


def test_pair_offsets_are_one_of_each_symmetric_pair_within_the_radius():
    offsets = pair_offsets(5)
    assert len(offsets) == len(set(offsets)) == 34  # PSA's radius 5
    assert all(dy * dy + dx * dx < 25 for dy, dx in offsets)
    assert not any((-dy, -dx) in offsets for dy, dx in offsets)
    assert all(dy > 0 or (dy == 0 and dx > 0) for dy, dx in offsets)


def test_pair_targets_and_loss_follow_the_labels():
    labels = torch.tensor([[[0, 0, 3, 3, 255]]])
    targets = pair_targets(labels, 2)  # offsets (0, 1) and (1, *): none
    first = targets[0]
    assert first['bg'].tolist() == [[[True, False, False, False]]]
    assert first['neg'].tolist() == [[[False, True, False, False]]]
    assert first['fg'].tolist() == [[[False, False, True, False]]]
    # an embedding that matches the labels beats one that does not
    good = torch.tensor([0., 0., 9., 9., 0.]).view(1, 1, 1, 5)
    bad = torch.tensor([0., 9., 0., 9., 0.]).view(1, 1, 1, 5)
    loss = {name: sum(affinity_loss(pair_affinities(e, 2), targets).values())
            for name, e in (('good', good), ('bad', bad))}
    assert loss['good'] < 0.01 < 1 < loss['bad']


def _two_regions(height=6, width=8):
    """A ``(1, h, w)`` embedding: left half 0, right half 10."""
    embedding = torch.zeros(1, height, width)
    embedding[:, :, width // 2:] = 10.0
    return embedding


def test_affinity_matrix_is_symmetric_and_weak_across_boundaries():
    affinity = affinity_matrix(_two_regions(), 3, beta=8).to_dense()
    assert torch.allclose(affinity, affinity.t())
    assert torch.equal(affinity.diagonal(), torch.ones(48))
    # cells (0, 0) and (0, 1) alike; (0, 3) and (0, 4) across the edge
    assert affinity[0, 1] == 1.0 and affinity[3, 4] < 1e-30


def test_walk_fills_ignored_pixels_inside_a_region_and_stops_at_its_edge():
    mask = np.full((48, 64), 255, np.uint8)
    mask[:8, :8] = 5  # a seed of class 5 in the left region
    mask[:8, -8:] = 0  # background seed in the right region
    out = propagate_mask(mask, [5], _two_regions(), radius=3)
    assert (out[:, :28] == 5).all() and (out[:, 36:] == 0).all()
    assert (out[:8, :8] == 5).all()
    # kept labels win over the walk; without keeping, the walk decides
    mask[40:, :8] = 0  # a wrong background label inside the object
    kept = propagate_mask(mask, [5], _two_regions(), radius=3)
    assert (kept[40:, :8] == 0).all()
    walked = propagate_mask(mask, [5], _two_regions(), radius=3,
                            keep_labelled=False)
    assert (walked[:8, :8] == 5).all() and (walked[:, 40:] == 0).all()


def test_unreached_pixels_stay_ignored_and_seed_shares_sum_to_one():
    mask = np.full((20, 20), 255, np.uint8)
    mask[:3, :3] = 0
    seeds = seed_scores(mask, [0, 2], (3, 3))
    assert seeds.shape == (2, 3, 3)
    assert seeds[0, 0, 0] == pytest.approx(9 / 64)
    assert float(seeds[:, 1:, 1:].sum()) == 0
    blank = np.full((20, 20), 255, np.uint8)
    assert (propagate_mask(blank, [2], torch.zeros(1, 3, 3), 2) == 255).all()


def test_affinity_net_trains_and_embeds_at_an_eighth(init_scope):
    from mmseg.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='AffinityNet',
        backbone=dict(type='ResNetV1c', depth=18, stem_channels=8,
                      base_channels=8, out_indices=(1, 2, 3),
                      strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4)),
        in_channels=(16, 32, 64), level_channels=8, embed_channels=8,
        radius=3))
    inputs = torch.randn(2, 3, 40, 56)
    assert model(inputs).shape == (2, 8, 5, 7)
    samples = []
    for _ in range(2):
        sample = SegDataSample()
        mask = torch.zeros(1, 40, 56, dtype=torch.long)
        mask[:, 16:, 24:] = 1
        mask[:, :4] = 255
        sample.gt_sem_seg = PixelData(data=mask)
        samples.append(sample)
    losses = model(inputs, samples, mode='loss')
    assert set(losses) == {'loss_aff_bg', 'loss_aff_fg', 'loss_aff_neg'}
    sum(losses.values()).backward()
    assert model.fuse.weight.grad.abs().sum() > 0
    # IRN's frozen backbone: no gradient, batch norm kept in eval mode
    assert all(p.grad is None for p in model.backbone.parameters())
    model.train()
    assert model.training and not model.backbone.training


def test_object_fill_leaves_would_be_background_ignored():
    mask = np.full((48, 64), 255, np.uint8)
    mask[:8, :8] = 5  # a seed of class 5 in the left region
    mask[:8, -8:] = 0  # background seed in the right region
    every = propagate_mask(mask, [5], _two_regions(), radius=3)
    objects = propagate_mask(mask, [5], _two_regions(), radius=3,
                             fill='objects')
    assert (objects[:, :28] == 5).all()  # the object still grows
    assert (objects[8:, 36:] == 255).all()  # no new background
    assert (objects[:8, -8:] == 0).all()  # labelled background is kept
    assert (every[8:, 36:] == 0).all()
