# CPU-sized CAM classifier: ImageNet MobileNetV2 (mmseg backbone, the shared
# tonylins weights converted at load time), output stride 16 (last two
# stages dilated instead of strided, as IRN's ResNet-50; stride 8 costs 4x
# the CPU time), 1x1 classifier, GAP.
norm_mean = [123.675, 116.28, 103.53]
norm_std = [58.395, 57.12, 57.375]
data_preprocessor = dict(
    type='WSSSDataPreProcessor', mean=norm_mean, std=norm_std,
    bgr_to_rgb=True, pad_val=0, seg_pad_val=255)
model = dict(
    type='CAMClassifier',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='MobileNetV2',
        widen_factor=1.,
        strides=(1, 2, 2, 2, 1, 1, 1),
        dilations=(1, 1, 1, 1, 1, 2, 2),
        out_indices=(6, ),
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        # the shared tonylins ImageNet file, converted when loaded
        init_cfg=dict(
            type='Pretrained',
            checkpoint='mobilenetv2_tonylins://../shared/weights/'
            'mobilenetv2_imagenet_tonylins.pt')),
    head=dict(
        type='CAMHead',
        in_channels=320,
        dropout_ratio=0.1,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')),
    test_cfg=dict(cam_scales=(1.0, 0.5, 1.5, 2.0), cam_flip=True))
