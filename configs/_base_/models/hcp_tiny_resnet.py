# HCP classifier on the narrow ResNet-18 of cam_tiny_resnet.py (output
# stride 8, 128 channels, randomly initialised): the synthetic demo's.
data_preprocessor = dict(
    type='WSSSDataPreProcessor',
    mean=[127.5, 127.5, 127.5],
    std=[64.0, 64.0, 64.0],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size_divisor=8)
model = dict(
    type='HCPClassifier',
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
        type='HCPHead',
        in_channels=128,
        roi_size=5,
        dropout_ratio=0.1,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')))
