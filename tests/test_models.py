"""CAM classifier, heads, backbones, data preprocessor, compat shims."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import mmwsss  # noqa: F401

TINY_BACKBONE = dict(
    type='ResNetV1c', depth=18, stem_channels=8, base_channels=8,
    num_stages=4, out_indices=(3, ), strides=(1, 2, 1, 1),
    dilations=(1, 1, 2, 4), norm_cfg=dict(type='BN', requires_grad=True))


def build_classifier(backbone=TINY_BACKBONE, in_channels=64, num_classes=5,
                     **kwargs):
    init_default_scope('mmseg')
    return MODELS.build(
        dict(
            type='CAMClassifier',
            data_preprocessor=dict(
                type='WSSSDataPreProcessor', mean=[0, 0, 0], std=[1, 1, 1]),
            backbone=backbone,
            head=dict(type='CAMHead', in_channels=in_channels,
                      num_classes=num_classes),
            **kwargs))


def samples(labels_per_image, shape=(32, 32)):
    out = []
    for labels in labels_per_image:
        sample = SegDataSample()
        sample.set_metainfo(dict(img_labels=labels, img_shape=shape,
                                 ori_shape=shape))
        out.append(sample)
    return out


def test_scores_are_the_spatial_mean_of_the_cams():
    model = build_classifier().eval()
    x = torch.randn(2, 3, 32, 32)
    cams = model.cam_logits(x)
    assert cams.shape == (2, 4, 4, 4)  # 4 fg classes, stride 8
    predicted = model.predict(x, samples([[1], [2, 3]]))
    for sample, cam in zip(predicted, cams):
        expected = torch.sigmoid(cam.mean(dim=(1, 2)))
        assert torch.allclose(sample.pred_cls_scores, expected, atol=1e-6)


def test_training_on_image_labels_lowers_the_loss():
    torch.manual_seed(0)
    model = build_classifier()
    # class 1 images are bright in the red channel, class 2 in blue.
    x = torch.randn(8, 3, 32, 32) * 0.1
    x[:4, 0] += 1.0
    x[4:, 2] += 1.0
    data_samples = samples([[1]] * 4 + [[2]] * 4)
    optim = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    first = None
    for _ in range(30):
        loss = model.loss(x, data_samples)['loss_cls']
        first = first if first is not None else loss.item()
        optim.zero_grad()
        loss.backward()
        optim.step()
    assert loss.item() < 0.5 * first


def test_missing_image_labels_is_a_clear_error():
    model = build_classifier()
    with pytest.raises(KeyError, match='img_labels'):
        model.loss(torch.randn(1, 3, 32, 32), [SegDataSample()])


def test_predict_cams_restricts_to_labels_and_normalises():
    model = build_classifier().eval()
    x = torch.randn(2, 3, 32, 32)
    data_samples = samples([[1, 3], []])
    data_samples[0].set_metainfo(dict(img_shape=(24, 30), ori_shape=(48, 60)))
    cams = model.predict_cams(x, data_samples, scales=(1.0, 0.5), flip=True)
    assert cams[0].shape == (2, 48, 60)
    assert cams[1].shape == (0, 32, 32)
    assert cams[0].min() >= 0
    peaks = cams[0].flatten(1).max(1).values
    assert torch.allclose(peaks[peaks > 0], torch.ones_like(peaks[peaks > 0]))


@pytest.mark.parametrize('backbone,channels', [
    (dict(type='mmpretrain.ResNet', depth=18, out_indices=(3, )), 512),
    (dict(type='TorchvisionBackbone', name='resnet18'), 512),
    (dict(type='TorchvisionBackbone', name='mobilenet_v2'), 1280),
    (dict(type='MobileNetV2', widen_factor=0.5, out_indices=(6, )), 160),
])
def test_any_backbone_family_builds_and_gives_cams(backbone, channels):
    model = build_classifier(backbone, channels).eval()
    cams = model.cam_logits(torch.randn(1, 3, 64, 64))
    assert cams.shape[:2] == (1, 4)


@pytest.mark.parametrize('stride', [8, 16, 32])
def test_dilated_vgg16_stride_and_torchvision_keys(stride):
    import torchvision
    init_default_scope('mmseg')
    vgg = MODELS.build(dict(type='DilatedVGG16', output_stride=stride))
    feat = vgg(torch.randn(1, 3, 64, 64))[0]
    assert feat.shape[-1] == 64 // stride
    reference = torchvision.models.vgg16(weights=None).state_dict()
    features = {k: v for k, v in reference.items() if k.startswith('features')}
    missing, unexpected = vgg.load_state_dict(features, strict=False)
    assert not missing and not unexpected


def test_multi_scale_flip_cam_is_flip_equivariant():
    from mmwsss.models.classifiers.cam import multi_scale_cam_logits
    model = build_classifier().eval()
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        cam = multi_scale_cam_logits(model.cam_logits, x, (1.0, 0.5), True)
        cam_of_flipped = multi_scale_cam_logits(model.cam_logits, x.flip(-1),
                                                (1.0, 0.5), True)
        single = multi_scale_cam_logits(model.cam_logits, x, (1.0, ), False)
    assert torch.allclose(cam.flip(-1), cam_of_flipped, atol=1e-4)
    assert cam.shape == single.shape == (1, 4, 8, 8)  # the stride-4 grid
    assert not torch.allclose(cam, single)


def test_cams_to_label_map_uses_threshold_and_argmax():
    import numpy as np

    from mmwsss.models.classifiers.cam import cams_to_label_map
    cams = np.zeros((2, 2, 3), np.float32)
    cams[0, 0, 0] = 0.9
    cams[1, 0, 0] = 0.5
    cams[1, 1, 1] = 0.4
    labels = cams_to_label_map(cams, [3, 7], bg_threshold=0.3)
    assert labels.tolist() == [[3, 0, 0], [0, 7, 0]]


def test_data_preprocessor_pads_unequal_test_images():
    init_default_scope('mmseg')
    pre = MODELS.build(
        dict(type='WSSSDataPreProcessor', mean=[0, 0, 0], std=[1, 1, 1]))
    data = dict(
        inputs=[torch.zeros(3, 20, 30, dtype=torch.uint8),
                torch.zeros(3, 25, 10, dtype=torch.uint8)],
        data_samples=[SegDataSample(), SegDataSample()])
    mask = torch.ones(1, 25, 10, dtype=torch.long)
    data['data_samples'][1].gt_sem_seg = PixelData(data=mask)
    out = pre(data, training=False)
    assert out['inputs'].shape == (2, 3, 25, 30)
    assert tuple(out['data_samples'][1].img_shape) == (25, 10)
    # ground truth stays at the image's size (predictions are un-padded)
    assert torch.equal(out['data_samples'][1].gt_sem_seg.data, mask)


def test_compiled_op_placeholder_raises_clear_error():
    from mmwsss.compat import MissingCompiledOpError, has_compiled_mmcv_ops
    if has_compiled_mmcv_ops():
        pytest.skip('full mmcv installed: placeholder not used')
    import mmcv._ext as ext
    with pytest.raises(MissingCompiledOpError, match='full mmcv'):
        ext.nms(None)


def test_mmengine_checkpoints_load_under_weights_only_torch(tmp_path):
    from mmengine.logging import HistoryBuffer
    from mmengine.runner.checkpoint import _load_checkpoint
    path = tmp_path / 'ckpt.pth'
    torch.save(dict(meta=dict(buffer=HistoryBuffer()),
                    state_dict=dict(w=torch.ones(2))), path)
    loaded = _load_checkpoint(str(path), map_location='cpu')
    assert torch.equal(loaded['state_dict']['w'], torch.ones(2))


def test_checkpoint_of_other_num_classes_is_rejected(tmp_path):
    from mmwsss.apis import load_state_dict_checked
    path = tmp_path / 'other.pth'
    torch.save(dict(state_dict=build_classifier(num_classes=7).state_dict()),
               path)
    with pytest.raises(ValueError, match='num_classes'):
        load_state_dict_checked(build_classifier(num_classes=5), str(path))
