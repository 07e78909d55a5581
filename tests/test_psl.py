"""PSL head, LargeFOV head, CRF segmentor, PSL++ masks, IoU metric PNGs."""
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from PIL import Image

from helpers import tiny_psl_model_cfg


def _sample(labels, mask, img_shape=None, img_path=''):
    from mmseg.structures import SegDataSample
    sample = SegDataSample(metainfo=dict(
        img_labels=labels, img_shape=img_shape or mask.shape,
        ori_shape=mask.shape, pad_shape=mask.shape, padding_size=[0, 0, 0, 0],
        img_path=img_path))
    sample.gt_sem_seg = PixelData(data=torch.as_tensor(mask)[None].long())
    return sample


def test_online_masks_reweight_by_class_probs_and_labels():
    from mmwsss.models.heads import allowed_class_mask, online_pseudo_masks

    # 3 classes; pixel 0 favours class 1, pixel 1 favours class 2 (absent)
    logits = torch.tensor([[[[0.0, 0.0]], [[2.0, 0.0]], [[0.0, 3.0]]]])
    allowed = allowed_class_mask([[1]], 3)
    assert allowed.tolist() == [[True, True, False]]
    confident = online_pseudo_masks(logits, torch.tensor([[0.9, 0.9]]),
                                    allowed)
    # class 2 is not a label: pixel 1 falls back to background
    assert confident.tolist() == [[[1, 0]]]
    doubtful = online_pseudo_masks(logits, torch.tensor([[0.1, 0.9]]),
                                   allowed)
    # a low class-1 probability hands pixel 0 to background (weight 1)
    assert doubtful.tolist() == [[[0, 0]]]


def test_suppression_only_touches_absent_foreground():
    from mmwsss.models.heads import suppress_absent_classes
    logits = torch.zeros(1, 3, 2, 2)
    logits[:, 2] = 5.0
    out = suppress_absent_classes(logits, torch.tensor([[0.8, 0.2]]), 0.5)
    assert out.argmax(1).eq(0).all()
    assert (out[:, 2] < -1e3).all() and (out[:, :2] == 0).all()
    kept = suppress_absent_classes(logits, torch.tensor([[0.8, 0.7]]), 0.5)
    assert torch.equal(kept, logits)


@pytest.fixture
def psl_model(init_scope):
    from mmseg.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(tiny_psl_model_cfg())
    model.init_weights()
    return model


def test_psl_head_losses_and_online_weight(psl_model):
    inputs = torch.randn(2, 3, 32, 32)
    mask = np.full((32, 32), 255, np.int64)
    mask[:8] = 0
    mask[16:, :16] = 2
    samples = [_sample([2], mask, img_shape=(24, 32)), _sample([1, 3], mask)]
    losses = psl_model.loss(inputs, samples)
    assert {'decode.loss_ce', 'decode.loss_cls',
            'decode.loss_online_ce'} <= set(losses)
    assert all(torch.isfinite(v).all() for v in losses.values())
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()  # gradients reach the branch and the wrapped head
    head = psl_model.decode_head
    assert head.cls_fc.weight.grad.abs().sum() > 0
    assert head.seg_head.conv_seg.weight.grad.abs().sum() > 0
    head.online_loss_weight = 0.0
    assert 'decode.loss_online_ce' not in psl_model.loss(inputs, samples)


def test_online_masks_start_part_way_through_training(psl_model):
    from mmengine.logging import MessageHub
    inputs = torch.randn(1, 3, 32, 32)
    samples = [_sample([2], np.zeros((32, 32), np.int64))]
    head = psl_model.decode_head
    head.online_start = 0.5
    hub = MessageHub.get_instance('psl_online_start_test')
    hub.update_info('max_iters', 100)
    hub.update_info('iter', 49)
    assert 'decode.loss_online_ce' not in psl_model.loss(inputs, samples)
    hub.update_info('iter', 50)
    assert 'decode.loss_online_ce' in psl_model.loss(inputs, samples)
    with pytest.raises(ValueError, match='online_start'):
        from mmseg.registry import MODELS
        cfg = tiny_psl_model_cfg()
        cfg['decode_head']['online_start'] = 1.5
        MODELS.build(cfg)


def test_online_masks_ignore_padding_at_either_resolution(psl_model):
    head = psl_model.decode_head
    logits = torch.randn(1, 4, 8, 8)
    sample = _sample([1], np.zeros((32, 32), np.int64), img_shape=(20, 24))
    # at the logits' resolution (the default): cells whose centre lies in
    # the padding (4-pixel cells: rows from 20, columns from 24) ignored
    online = head._online_samples(logits, torch.ones(1, 3), [sample], [[1]])
    mask = online[0].gt_sem_seg.data[0]
    assert mask.shape == (8, 8)
    assert (mask[5:] == 255).all() and (mask[:, 6:] == 255).all()
    assert set(mask[:5, :6].unique().tolist()) <= {0, 1}
    # at the pseudo masks' resolution
    head.online_at_logits = False
    online = head._online_samples(logits, torch.ones(1, 3), [sample], [[1]])
    mask = online[0].gt_sem_seg.data[0]
    assert mask.shape == (32, 32)
    assert (mask[20:] == 255).all() and (mask[:, 24:] == 255).all()
    assert set(mask[:20, :24].unique().tolist()) <= {0, 1}
    # the same classes either way, where both are labelled
    coarse = head._online_samples(logits, torch.ones(1, 3), [sample],
                                  [[1]])[0].gt_sem_seg.data[0]
    head.online_at_logits = True
    fine = head._online_samples(logits, torch.ones(1, 3), [sample],
                                [[1]])[0].gt_sem_seg.data[0]
    centres = coarse[2::4, 2::4][:5, :6]
    assert (centres == fine[:5, :6]).float().mean() > 0.9


def test_psl_predict_switches_suppression(psl_model):
    psl_model.eval()
    inputs = torch.randn(1, 3, 32, 32)
    metas = [dict(img_shape=(32, 32), ori_shape=(32, 32),
                  pad_shape=(32, 32), padding_size=[0, 0, 0, 0])]
    feats = psl_model.extract_feat(inputs)
    head = psl_model.decode_head
    with torch.no_grad():
        plain = head.predict(feats, metas, dict(cls_suppression=False))
        strict = head.predict(feats, metas, dict(cls_correction='threshold',
                                                 cls_threshold=1.1))
        cls_probs = head.forward_cls(feats).sigmoid()
        reweighted = head.predict(feats, metas, dict())  # the default
    # a threshold above 1 suppresses every foreground class
    assert torch.equal(plain[:, 0], strict[:, 0])
    assert (strict[:, 1:] < -1e3).all()
    assert strict.argmax(1).eq(0).all()
    # re-weighting: probabilities times (1, branch probabilities),
    # renormalised, as log-probabilities, before the resize to the image
    from mmwsss.models.heads.psl_head import reweighted_log_probs
    logits = head.forward(feats).detach()
    expected = logits.softmax(1) * torch.cat(
        [torch.ones(1, 1), cls_probs], 1)[:, :, None, None]
    expected = expected / expected.sum(1, keepdim=True)
    assert torch.allclose(reweighted_log_probs(logits, cls_probs).exp(),
                          expected, atol=1e-5)
    assert torch.allclose(reweighted, head.seg_head.predict_by_feat(
        reweighted_log_probs(logits, cls_probs), metas), atol=1e-5)
    with pytest.raises(ValueError, match='cls_correction'):
        head.predict(feats, metas, dict(cls_correction='nope'))


def test_largefov_head_shapes(init_scope):
    from mmseg.registry import MODELS
    head = MODELS.build(dict(type='LargeFOVHead', in_channels=16,
                             channels=32, num_classes=21, dropout_ratio=0.5))
    out = head([torch.randn(2, 16, 9, 9)])
    assert out.shape == (2, 21, 9, 9)
    assert head.fc6.dilation == (12, 12)


def test_segmentor_crf_postprocess_uses_image(psl_model, tmp_path):
    img = np.zeros((32, 32, 3), np.uint8)
    img[:, 16:] = 255
    path = str(tmp_path / 'half.png')
    Image.fromarray(img).save(path)
    psl_model.eval()
    # logits that put the class edge at column 12, the image edge is at 16
    logits = torch.zeros(1, 4, 32, 32)
    logits[0, 1, :, 12:] = 1.0
    logits[0, 0, :, :12] = 1.0
    sample = _sample([1], np.zeros((32, 32), np.int64), img_path=path)
    psl_model.test_cfg = dict(crf='deeplab')
    out = psl_model.postprocess_result(logits, [sample])[0]
    pred = out.pred_sem_seg.data[0]
    assert pred.shape == (32, 32)
    assert set(pred.unique().tolist()) <= {0, 1}
    psl_model.test_cfg = dict(crf=None)
    plain = psl_model.postprocess_result(logits, [sample])[0]
    assert (plain.pred_sem_seg.data[0][:, 12:16] == 1).all()


def test_label_probabilities_keep_labelled_classes():
    from mmwsss.pseudo_labels.psl_plus import label_probabilities
    logits = torch.randn(5, 6, 6)
    ids, probs = label_probabilities(logits, torch.rand(4), [2, 4])
    assert ids.tolist() == [0, 2, 4]
    assert probs.shape == (3, 6, 6)
    np.testing.assert_allclose(probs.sum(0), 1.0, rtol=1e-5)


def _tiny_model_and_images(synthetic_root):
    """An untrained tiny PSL model and 6 synthetic training images."""
    from mmseg.registry import DATASETS, MODELS
    torch.manual_seed(0)
    model = MODELS.build(tiny_psl_model_cfg(num_classes=5)).eval()
    dataset = DATASETS.build(dict(
        type='SyntheticWSSSDataset', data_root=synthetic_root,
        num_train=24, num_val=8, image_size=64,
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClass'),
        ann_file='ImageSets/Segmentation/train.txt',
        pipeline=[dict(type='LoadCheckedImageFromFile'),
                  dict(type='PackWSSSInputs')], indices=6))
    return model, dataset


def test_psl_plus_labels_are_deterministic_and_restricted(
        init_scope, synthetic_root, tmp_path):
    from mmwsss.pseudo_labels.psl_plus import make_psl_plus_labels
    from mmwsss.utils.io import read_mask
    model, dataset = _tiny_model_and_images(synthetic_root)
    first, second = tmp_path / 'a', tmp_path / 'b'
    stats = make_psl_plus_labels(model, dataset, str(first), crf='deeplab',
                                 batch_size=4, show_progress=False)
    assert stats['written'] == 6
    # one image at a time, streamed to two CRF worker processes
    make_psl_plus_labels(model, dataset, str(second), crf='deeplab',
                         batch_size=1, crf_workers=2, show_progress=False)
    for index in range(6):
        info = dataset.get_data_info(index)
        name = info['img_path'].rsplit('/', 1)[-1].replace('.jpg', '.png')
        a = read_mask(str(first / name))
        assert np.array_equal(a, read_mask(str(second / name)))
        assert set(np.unique(a)) <= {0, *info['img_labels']}
        assert a.shape == Image.open(info['img_path']).size[::-1]


def _half_labelled_masks(dataset, folder, half):
    """Earlier masks of the first 6 images in ``folder``: the ``'left'``
    half labelled with the image's first class, or the ``'top'`` half with
    its last, the rest ignored; returns their file names."""
    from mmwsss.utils.io import write_label_png
    folder.mkdir()
    names = []
    for index in range(6):
        info = dataset.get_data_info(index)
        names.append(info['img_path'].rsplit('/', 1)[-1][:-4] + '.png')
        height, width = Image.open(info['img_path']).size[::-1]
        mask = np.full((height, width), 255, np.uint8)
        if half == 'left':
            mask[:, :width // 2] = info['img_labels'][0]
        else:
            mask[:height // 2] = info['img_labels'][-1]
        write_label_png(str(folder / names[-1]), mask,
                        dataset.metainfo['palette'])
    return names


def test_psl_plus_labels_complete_the_kept_masks(
        init_scope, synthetic_root, tmp_path):
    """Pixels the kept masks label stay; ignored ones take the prediction;
    a missing or wrongly sized kept mask is an error naming the file."""
    from mmwsss.pseudo_labels.psl_plus import make_psl_plus_labels
    from mmwsss.utils.io import read_mask, write_label_png
    model, dataset = _tiny_model_and_images(synthetic_root)
    palette = dataset.metainfo['palette']
    plain, kept, completed = (tmp_path / n for n in ('p', 'k', 'c'))
    make_psl_plus_labels(model, dataset, str(plain), crf='deeplab',
                         batch_size=4, show_progress=False)
    names = _half_labelled_masks(dataset, kept, 'left')
    make_psl_plus_labels(model, dataset, str(completed), crf='deeplab',
                         batch_size=4, keep_masks_dir=str(kept),
                         show_progress=False)
    for name in names:
        old = read_mask(str(kept / name))
        new = read_mask(str(completed / name))
        labelled = old != 255
        assert labelled.any() and (~labelled).any()
        assert np.array_equal(new[labelled], old[labelled])
        assert np.array_equal(new[~labelled],
                              read_mask(str(plain / name))[~labelled])
    write_label_png(str(kept / names[0]), np.zeros((5, 5), np.uint8), palette)
    with pytest.raises(ValueError, match=names[0] + '.*size'):
        make_psl_plus_labels(model, dataset, str(tmp_path / 'd'), crf=None,
                             keep_masks_dir=str(kept), show_progress=False)
    (kept / names[0]).unlink()
    with pytest.raises(FileNotFoundError, match=names[0]):
        make_psl_plus_labels(model, dataset, str(tmp_path / 'e'), crf=None,
                             keep_masks_dir=str(kept), show_progress=False)


def test_psl_plus_labels_laid_over_earlier_masks(init_scope, synthetic_root,
                                                 tmp_path):
    """A teacher's masks over the cue masks: the prediction's object
    pixels win, the earlier mask decides where it says background; both
    ways at once are refused."""
    from mmwsss.pseudo_labels.psl_plus import (make_psl_plus_labels,
                                               overlay_object_pixels)
    from mmwsss.utils.io import read_mask, write_label_png
    model, dataset = _tiny_model_and_images(synthetic_root)
    plain, under, laid = (tmp_path / n for n in ('p', 'u', 'l'))
    make_psl_plus_labels(model, dataset, str(plain), crf=None,
                         batch_size=4, show_progress=False)
    names = _half_labelled_masks(dataset, under, 'top')
    make_psl_plus_labels(model, dataset, str(laid), crf=None, batch_size=4,
                         under_masks_dir=str(under), show_progress=False)
    for name in names:  # the untrained net sees background: all theirs
        assert not (read_mask(str(plain / name)) > 0).any()
        assert np.array_equal(read_mask(str(laid / name)),
                              read_mask(str(under / name)))
    # where it sees objects, they win
    predicted = np.zeros_like(read_mask(str(under / names[0])))
    predicted[:, :3] = 2
    new = overlay_object_pixels(predicted, str(under / names[0]))
    old = read_mask(str(under / names[0]))
    assert np.array_equal(new[:, :3], predicted[:, :3])
    assert np.array_equal(new[:, 3:], old[:, 3:])
    assert (old[:, :3] != 2).any()
    with pytest.raises(ValueError, match='exclude each other'):
        make_psl_plus_labels(model, dataset, str(tmp_path / 'x'), crf=None,
                             keep_masks_dir=str(under),
                             under_masks_dir=str(under), show_progress=False)
    # an earlier mask of another size, or none: errors naming the file
    write_label_png(str(under / names[0]), np.zeros((5, 5), np.uint8),
                    dataset.metainfo['palette'])
    with pytest.raises(ValueError, match=names[0] + '.*size'):
        make_psl_plus_labels(model, dataset, str(tmp_path / 'd'), crf=None,
                             under_masks_dir=str(under), show_progress=False)
    (under / names[0]).unlink()
    with pytest.raises(FileNotFoundError, match=names[0]):
        make_psl_plus_labels(model, dataset, str(tmp_path / 'e'), crf=None,
                             under_masks_dir=str(under), show_progress=False)


def test_iou_metric_writes_palette_pngs(init_scope, tmp_path):
    from mmwsss.evaluation import WSSSIoUMetric
    metric = WSSSIoUMetric(output_dir=str(tmp_path / 'out'))
    metric.dataset_meta = dict(classes=('bg', 'a', 'b'),
                               palette=[[0, 0, 0], [1, 2, 3], [4, 5, 6]])
    pred = torch.tensor([[0, 1], [2, 2]])
    sample = dict(pred_sem_seg=dict(data=pred[None]),
                  gt_sem_seg=dict(data=pred[None]), img_path='x/img7.jpg')
    metric.process({}, [sample])
    png = Image.open(tmp_path / 'out' / 'img7.png')
    assert png.mode == 'P'
    assert np.asarray(png).tolist() == [[0, 1], [2, 2]]
    assert metric.compute_metrics(metric.results)['mIoU'] == 100.0


def test_no_online_mask_for_an_image_trained_on_its_true_mask(psl_model):
    """A pixel-labelled image (a dataset's pixel_labels subset) learns
    from its true mask alone: its online mask is ignored everywhere."""
    head = psl_model.decode_head
    logits = torch.randn(2, 4, 8, 8)
    weak = _sample([1], np.zeros((32, 32), np.int64))
    labelled = _sample([1], np.zeros((32, 32), np.int64))
    labelled.set_metainfo(dict(pixel_labelled=True))
    online = head._online_samples(logits, torch.ones(2, 3),
                                  [weak, labelled], [[1], [1]])
    assert (online[0].gt_sem_seg.data != 255).any()
    assert (online[1].gt_sem_seg.data == 255).all()
