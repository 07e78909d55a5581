# CPU-sized HCP classifier: the ImageNet MobileNetV2 of cam_mbv2.py (output
# stride 16, 320 channels), each proposal pooled by RoIAlign (7x7,
# averaged) and classified by one linear layer; image score = max over the
# proposals.  Batches of different image sizes are padded to a multiple of
# the stride (boxes are unaffected: padding is right and bottom).
norm_mean = [123.675, 116.28, 103.53]
norm_std = [58.395, 57.12, 57.375]
data_preprocessor = dict(
    type='WSSSDataPreProcessor', mean=norm_mean, std=norm_std,
    bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size_divisor=16)
model = dict(
    type='HCPClassifier',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='MobileNetV2',
        widen_factor=1.,
        strides=(1, 2, 2, 2, 1, 1, 1),
        dilations=(1, 1, 1, 1, 1, 2, 2),
        out_indices=(6, ),
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='mobilenetv2_tonylins://../shared/weights/'
            'mobilenetv2_imagenet_tonylins.pt')),
    head=dict(
        type='HCPHead',
        in_channels=320,
        roi_size=7,
        dropout_ratio=0.1,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')))
