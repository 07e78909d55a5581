# HCP classifier of the paper setting: ImageNet VGG16 (torchvision's
# weights) to conv5 at stride 16, each proposal pooled by RoIAlign (7x7,
# averaged; HCP warped every hypothesis to 227x227 and ran the whole
# network on it, RoIAlign shares the convolutions, as Fast R-CNN) and
# classified by one linear layer; image score = max over the proposals.
norm_mean = [123.675, 116.28, 103.53]
norm_std = [58.395, 57.12, 57.375]
data_preprocessor = dict(
    type='WSSSDataPreProcessor', mean=norm_mean, std=norm_std,
    bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size_divisor=16)
model = dict(
    type='HCPClassifier',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='DilatedVGG16',
        output_stride=16,
        with_pool5=False,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg16')),
    head=dict(
        type='HCPHead',
        in_channels=512,
        roi_size=7,
        dropout_ratio=0.5,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')))
