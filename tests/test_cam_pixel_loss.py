"""The CAM classifier learning from the pixel-labelled subset: the loss
on its normalised maps, the transform that loads only the subset's masks,
and erasing that hides what it paints out."""
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from PIL import Image

from mmwsss.datasets.erasing_masks import ErasingMaskStore
from mmwsss.models.losses.cam_pixel_loss import (cam_pixel_loss,
                                                 cell_class_shares)


def _mask(values):
    return torch.tensor(values, dtype=torch.long)[None]


def test_cell_shares_count_labelled_pixels_only():
    # 4x4 mask on a 2x2 grid: top-left cell half class 1, half ignored
    mask = _mask([[1, 1, 0, 0], [255, 255, 0, 0],
                  [2, 2, 2, 2], [2, 2, 255, 255]])
    shares, labelled = cell_class_shares(mask, 3, (2, 2))
    assert shares[0, 1, 0, 0] == 1.0 and labelled[0, 0, 0]
    assert shares[0, 0, 0, 1] == 1.0
    assert shares[0, 2, 1, 1] == 1.0  # 2 of 2 labelled pixels
    assert labelled.all()  # every cell is at least half labelled
    shares, labelled = cell_class_shares(torch.full((1, 4, 4), 255), 3,
                                         (2, 2))
    assert not labelled.any()


def test_loss_is_zero_on_the_true_shape_and_pulls_up_a_missed_region():
    mask = _mask([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    right = torch.tensor([[[5., -2.], [-3., -1.]], [[-1., -1.], [-1., -1.]]])
    assert cam_pixel_loss(right[None], mask) == 0  # class 2 is absent
    # the CAM peaks on background and is negative on the class: a loss,
    # and a gradient that raises the missed cell (no ReLU stops it)
    wrong = torch.tensor([[[-2., 5.], [3., 1.]], [[0., 0.], [0., 0.]]],
                         requires_grad=True)
    loss = cam_pixel_loss(wrong[None], mask)
    assert loss > 0.5
    loss.backward()
    assert wrong.grad[0, 0, 0] < 0  # descent raises it
    assert (wrong.grad[1] == 0).all()  # absent classes are left alone


def test_loss_of_unlabelled_images_is_zero_with_a_gradient():
    logits = torch.randn(2, 3, 2, 2, requires_grad=True)
    loss = cam_pixel_loss(logits, torch.full((2, 4, 4), 255))
    assert loss == 0 and loss.requires_grad
    loss.backward()
    # every map gets a gradient (DDP sees the head used), and it is zero:
    # an image without a labelled pixel teaches the CAMs nothing
    assert logits.grad.shape == logits.shape
    assert torch.count_nonzero(logits.grad) == 0


def _classifier(weight):
    init_default_scope('mmseg')
    from mmseg.registry import MODELS
    import mmwsss  # noqa: F401  (registers the classifier)
    return MODELS.build(dict(
        type='CAMClassifier',
        backbone=dict(type='ResNetV1c', depth=18, stem_channels=8,
                      base_channels=8, out_indices=(3, ),
                      strides=(1, 2, 2, 2)),
        head=dict(type='CAMHead', in_channels=64, num_classes=3),
        train_cfg=dict(pixel_loss_weight=weight)))


def _sample(labels, mask=None):
    sample = SegDataSample(metainfo=dict(img_labels=labels,
                                         img_path='x.jpg'))
    if mask is not None:
        sample.gt_sem_seg = PixelData(data=mask[None])
    return sample


def test_classifier_adds_the_pixel_loss_only_when_asked():
    inputs = torch.randn(2, 3, 32, 32)
    mask = torch.zeros(32, 32, dtype=torch.long)
    mask[:16] = 1
    samples = [_sample([1], mask), _sample([2], torch.full((32, 32), 255))]
    with_loss = _classifier(1.0).loss(inputs, samples)
    assert with_loss['loss_cam_pixel'] > 0
    assert 'loss_cam_pixel' not in _classifier(0.0).loss(inputs, samples)
    with pytest.raises(KeyError, match='x.jpg.*LoadTrueMaskIfLabelled'):
        _classifier(1.0).loss(inputs, [_sample([1]), _sample([2])])


def test_transform_reads_the_subset_masks_only(tmp_path):
    from mmwsss.datasets.transforms import LoadTrueMaskIfLabelled
    path = tmp_path / 'a.png'
    Image.fromarray(np.array([[0, 3], [3, 255]], np.uint8)).save(path)
    load = LoadTrueMaskIfLabelled()
    labelled = load(dict(pixel_labelled=True, true_seg_map_path=str(path),
                         true_label_map={3: 1}, img_shape=(2, 2),
                         num_classes=2, img_path='a.jpg'))
    assert labelled['gt_seg_map'].tolist() == [[0, 1], [1, 255]]
    # a tags-only image: all ignored, and its mask path is never opened
    other = load(dict(pixel_labelled=False, seg_map_path='/nonexistent.png',
                      img_shape=(2, 3), img_path='b.jpg'))
    assert (other['gt_seg_map'] == 255).all()
    assert other['gt_seg_map'].shape == (2, 3)
    with pytest.raises(ValueError, match='a.png.*size'):
        load(dict(pixel_labelled=True, true_seg_map_path=str(path),
                  img_shape=(3, 3), num_classes=2, img_path='a.jpg'))


def test_erasing_hides_the_painted_pixels_of_the_mask():
    init_default_scope('mmseg')
    from mmseg.registry import TRANSFORMS
    erase = TRANSFORMS.build(dict(type='EraseMinedRegions'))
    store = ErasingMaskStore([[1]], grid=4, max_steps=1)
    region = np.zeros((1, 4, 4), bool)
    region[0, :, 0] = True
    store.add_regions(0, 0, region)
    erase.store = store
    out = Compose([erase])(dict(img=np.full((8, 8, 3), 9, np.uint8),
                                gt_seg_map=np.ones((8, 8), np.uint8),
                                sample_idx=0, img_shape=(8, 8)))
    assert (out['gt_seg_map'][:, :2] == 255).all()
    assert (out['gt_seg_map'][:, 2:] == 1).all()


def test_loss_stays_bounded_when_a_class_never_fires():
    # a CAM all below zero (the start of training): dividing by a tiny
    # peak would blow the loss up; by the largest magnitude it stays <= 4
    mask = _mask([[1, 1, 0, 0]] * 4)
    logits = torch.full((1, 2, 2, 2), -1e-3)
    assert cam_pixel_loss(logits, mask) <= 4.0
