# CAM classifier on the narrow ResNet-18 of tiny_resnet.py (16 base
# channels, output stride 8), randomly initialised: small enough to train
# on the synthetic demo data on a CPU in about a minute.
_base_ = ['./tiny_resnet.py']
# no ImageNet statistics: pixels mapped to about [-2, 2]
data_preprocessor = dict(
    type='WSSSDataPreProcessor',
    mean=[127.5, 127.5, 127.5],
    std=[64.0, 64.0, 64.0],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='CAMClassifier',
    data_preprocessor=data_preprocessor,
    backbone=_base_.tiny_resnet,
    head=dict(
        type='CAMHead',
        in_channels=128,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')),
    test_cfg=dict(cam_scales=(1.0, 0.5, 1.5, 2.0), cam_flip=True))
