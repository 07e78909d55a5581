# PSL on MMSeg's DeepLabV3+ (ResNet-101-D8, ImageNet weights from
# open-mmlab's model zoo): DepthwiseSeparableASPPHead wrapped by PSLHead,
# the classification branch on the stage-4 feature.
norm_cfg = dict(type='SyncBN', requires_grad=True)
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
        type='ResNetV1c',
        depth=101,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True,
        init_cfg=dict(type='Pretrained',
                      checkpoint='open-mmlab://resnet101_v1c')),
    decode_head=dict(
        type='PSLHead',
        cls_in_channels=2048,
        cls_in_index=3,
        cls_dropout=0.5,
        online_loss_weight=1.0,
        # online masks from half-way through training (see PSLHead: used
        # from the first iteration they teach background everywhere)
        online_start=0.5,
        cls_threshold=0.5,
        seg_head=dict(
            type='DepthwiseSeparableASPPHead',
            in_channels=2048,
            in_index=3,
            channels=512,
            dilations=(1, 12, 24, 36),
            c1_in_channels=256,
            c1_channels=48,
            dropout_ratio=0.1,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                avg_non_ignore=True))),
    train_cfg=dict(),
    test_cfg=dict(mode='whole', cls_suppression=True,
                  cls_correction='reweight', crf=None))
