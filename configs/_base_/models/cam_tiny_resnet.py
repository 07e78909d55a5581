# A narrow ResNet-18 (16 base channels, output stride 8), randomly
# initialised: small enough to train on the synthetic demo data on a CPU in
# about a minute.
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
    backbone=dict(
        type='ResNetV1c',
        depth=18,
        stem_channels=16,
        base_channels=16,
        num_stages=4,
        out_indices=(3, ),
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 4),
        norm_cfg=dict(type='BN', requires_grad=True),
        contract_dilation=True),
    head=dict(
        type='CAMHead',
        in_channels=128,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')),
    test_cfg=dict(cam_scales=(1.0, 0.5, 1.5, 2.0), cam_flip=True))
