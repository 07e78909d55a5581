# CAM classifier on the narrow ResNet-18 of tiny_resnet.py (16 base
# channels, output stride 8), randomly initialised: small enough to train
# on the synthetic demo data on a CPU in about a minute.
_base_ = ['./tiny_resnet.py', './imagenet_preprocessor.py']
# imagenet_preprocessor.py without ImageNet statistics: pixels mapped to
# about [-2, 2]
data_preprocessor = dict(
    _base_.data_preprocessor, mean=[127.5] * 3, std=[64.0] * 3)
model = dict(
    type='CAMClassifier',
    data_preprocessor=data_preprocessor,
    backbone=_base_.tiny_resnet,
    head=dict(
        type='CAMHead',
        in_channels=128,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')),
    test_cfg=dict(cam_scales=(1.0, 0.5, 1.5, 2.0), cam_flip=True))
# its optimiser, which each config applies over its schedule's SGD
# (optim_wrapper = _base_._cls_optim_wrapper): from scratch, lr 0.1 and the
# head at 1x
_cls_optim_wrapper = dict(
    optimizer=dict(lr=0.1),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=1.0)}))
