# AE-paper CAM classifier: ImageNet VGG16, conv5 dilated (stride 8, as in
# DeepLab-LargeFOV), extra 3x3x1024 convs, 1x1 classifier, GAP.
# The weights are torchvision's vgg16 (keys features.N); offline, point
# checkpoint at a local copy of that file.
norm_mean = [123.675, 116.28, 103.53]
norm_std = [58.395, 57.12, 57.375]
data_preprocessor = dict(
    type='WSSSDataPreProcessor', mean=norm_mean, std=norm_std,
    bgr_to_rgb=True, pad_val=0, seg_pad_val=255)
model = dict(
    type='CAMClassifier',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='DilatedVGG16',
        output_stride=8,
        with_pool5=False,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg16')),
    head=dict(
        type='CAMHead',
        in_channels=512,
        num_convs=2,
        conv_channels=1024,
        dropout_ratio=0.5,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')),
    test_cfg=dict(cam_scales=(1.0, 0.5, 1.5, 2.0), cam_flip=True))
