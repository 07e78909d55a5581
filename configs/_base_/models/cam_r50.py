# IRN-style CAM classifier: ImageNet ResNet-50 (torchvision layout, the mmseg
# ResNet v1b keys match torchvision's), last stage without stride
# (output stride 16), 1x1 classifier, GAP.
norm_mean = [123.675, 116.28, 103.53]
norm_std = [58.395, 57.12, 57.375]
data_preprocessor = dict(
    type='WSSSDataPreProcessor', mean=norm_mean, std=norm_std,
    bgr_to_rgb=True, pad_val=0, seg_pad_val=255)
model = dict(
    type='CAMClassifier',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(3, ),
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 1),
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        frozen_stages=1,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(
        type='CAMHead',
        in_channels=2048,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')),
    test_cfg=dict(cam_scales=(1.0, 0.5, 1.5, 2.0), cam_flip=True))
