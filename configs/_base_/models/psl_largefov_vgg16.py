# The AE-PSL paper's segmentation network: DeepLab-LargeFOV (VGG16 with
# pool4/pool5 at stride 1 and dilated conv5 -> output stride 8; fc6 3x3
# dilated 12, fc7 1x1, both 1024 wide), plus PSL's classification branch on
# the conv5 feature.  fc6/fc7 start random (torchvision's VGG16 has no
# subsampled fc6 as DeepLab's caffe model) and train at 10x like fc8.
data_preprocessor = dict(
    type='WSSSDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='WSSSEncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='DilatedVGG16',
        output_stride=8,
        with_pool5=True,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://vgg16')),
    decode_head=dict(
        type='PSLHead',
        cls_in_channels=512,
        cls_dropout=0.5,
        online_loss_weight=1.0,
        # online masks from half-way through training (see PSLHead: used
        # from the first iteration they teach background everywhere)
        online_start=0.5,
        cls_threshold=0.5,
        seg_head=dict(
            type='LargeFOVHead',
            in_channels=512,
            channels=1024,
            dilation=12,
            dropout_ratio=0.5,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                avg_non_ignore=True))),
    train_cfg=dict(),
    test_cfg=dict(mode='whole', cls_suppression=True,
                  cls_correction='reweight', crf=None))
