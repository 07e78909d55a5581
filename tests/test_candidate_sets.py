"""Classes the tags cannot split (one never tagged without another) are
trained on their set in tags-only masks when true masks can split them:
the groups, the set loss, the heads and the dataset's marking."""
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from test_stc import _tiny_soft_model

from mmwsss.models.losses import (candidate_set_loss, set_membership,
                                  split_candidate_sets)
from mmwsss.utils.labels import image_candidate_sets, inseparable_class_groups
from helpers import tiny_psl_model_cfg

#: MSRC-17's pair: face (5) is never tagged without body (15)
FACE, BODY, COW = 5, 15, 1


def test_groups_need_a_class_never_alone_and_a_true_mask_showing_it():
    tags = [[FACE, BODY], [FACE, BODY], [BODY], [COW], [COW, BODY]]
    assert inseparable_class_groups(tags, [[FACE, BODY]]) == [[FACE, BODY]]
    # no true mask shows face: nothing can split it, the tags' split stays
    assert inseparable_class_groups(tags, [[BODY], [COW]]) == []
    # face seen once without body: the tags can split it
    assert inseparable_class_groups(tags + [[FACE]], [[FACE, BODY]]) == []
    # pairs merge: 2 always with 3, 3 always with 4
    chain = [[2, 3, 4], [3, 4], [4]]
    assert inseparable_class_groups(chain, [[2, 3, 4]]) == [[2, 3, 4]]
    assert image_candidate_sets([3, 4, 9], [[2, 3, 4]]) == [[3, 4]]
    assert image_candidate_sets([3, 9], [[2, 3, 4]]) == []


def test_set_loss_is_the_negative_log_of_the_set_probability():
    mask = torch.tensor([[0, FACE], [BODY, 255]])
    members = set_membership(mask, [[FACE, BODY]], 16)
    assert members[FACE].tolist() == [[False, True], [True, False]]
    assert torch.equal(members[FACE], members[BODY])
    assert not members[0].any()
    logits = torch.randn(1, 16, 2, 2, requires_grad=True)
    loss = candidate_set_loss(logits, members[None], labelled=1)
    probs = logits.softmax(dim=1)[0]
    set_prob = probs[FACE] + probs[BODY]
    expected = -(set_prob[0, 1].log() + set_prob[1, 0].log()) / 3
    assert torch.allclose(loss, expected, atol=1e-5)
    loss.backward()
    # moving probability between face and body changes nothing: the two
    # logits of a set pixel get the same share of its gradient per unit
    # of probability
    grad = logits.grad[0, :, 0, 1]
    ratio = grad[FACE] / grad[BODY]
    assert torch.allclose(ratio, probs[FACE, 0, 1] / probs[BODY, 0, 1],
                          rtol=1e-4)
    assert (grad[[FACE, BODY]] < 0).all() and (grad[COW] > 0)


def _sample(mask, labels, sets=None):
    sample = SegDataSample(metainfo=dict(
        img_labels=labels, img_shape=mask.shape, ori_shape=mask.shape,
        pad_shape=mask.shape, padding_size=[0, 0, 0, 0], img_path='x.jpg'))
    if sets:
        sample.set_metainfo(dict(candidate_sets=sets))
    sample.gt_sem_seg = PixelData(data=torch.as_tensor(mask)[None].long())
    return sample


def test_split_leaves_set_free_samples_and_ignores_set_pixels():
    mask = np.zeros((4, 4), np.int64)
    mask[:2] = 1
    mask[2:, :2] = 2
    plain, members = split_candidate_sets(
        [_sample(mask, [1, 2], [[1, 2]]), _sample(mask, [1, 2])], 3, (4, 4))
    assert (plain[0].gt_sem_seg.data[0][mask > 0] == 255).all()
    assert (plain[0].gt_sem_seg.data[0][mask == 0] == 0).all()
    assert torch.equal(plain[1].gt_sem_seg.data[0], torch.as_tensor(mask))
    assert members.shape == (2, 3, 4, 4)
    assert members[0, 1].sum() == 12 and not members[1].any()
    # the caller's samples keep their masks
    unchanged, none = split_candidate_sets([_sample(mask, [1])], 3, (4, 4))
    assert none is None and unchanged[0].gt_sem_seg.data.max() == 2


@pytest.mark.parametrize('head', ['psl', 'soft'])
def test_heads_train_set_pixels_on_the_set(head, init_scope):
    """The face/body split of a tags-only mask does not reach the loss:
    swapping the two classes inside the set leaves every loss equal,
    while the same swap in a sample without sets changes it."""
    from mmseg.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(tiny_psl_model_cfg()) if head == 'psl' else \
        _tiny_soft_model()
    model.eval()  # no dropout: the two forward passes must match
    num_classes = model.decode_head.num_classes
    a, b = 1, 2
    inputs = torch.randn(1, 3, 32, 32)
    mask = np.zeros((32, 32), np.int64)
    mask[8:20] = a
    mask[20:] = b
    swapped = np.where(mask == a, b, np.where(mask == b, a, mask))
    labels = [a, b]

    def losses(m, sets):
        out = model.loss(inputs, [_sample(m, labels, sets)])
        return {k: float(v) for k, v in out.items() if 'loss' in k}

    with_sets = losses(mask, [[a, b]])
    assert 'decode.loss_set' in with_sets
    assert with_sets == pytest.approx(losses(swapped, [[a, b]]))
    without = losses(mask, None)
    assert 'decode.loss_set' not in without
    assert without != pytest.approx(losses(swapped, None))
    assert num_classes > b
