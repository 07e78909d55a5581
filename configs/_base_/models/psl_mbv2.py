# PSL on ImageNet MobileNetV2 (mmpretrain's, the shared tonylins weights
# converted at load time): its last 1280-channel features (output stride
# 32), a 1x1-conv segmentation head, and PSL's classification branch on the
# same features.  Every layer trains, batch norm in train mode.  The plain
# recipe of docs/benchmarks.md ("segmentation recipe"): on MSRC-17 it beat
# the ASPP / frozen-BN / crop recipe by ~28 val mIoU at full supervision.
norm_cfg = dict(type='BN', requires_grad=True)
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
        type='mmpretrain.MobileNetV2',
        widen_factor=1.,
        out_indices=(7, ),
        norm_eval=False,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='mobilenetv2_tonylins://../shared/weights/'
            'mobilenetv2_imagenet_tonylins.pt')),
    decode_head=dict(
        type='PSLHead',
        cls_in_channels=1280,
        cls_dropout=0.1,
        online_loss_weight=1.0,
        # online masks from half-way through training (see PSLHead: used
        # from the first iteration they teach background everywhere)
        online_start=0.5,
        cls_threshold=0.5,
        seg_head=dict(
            type='FCNHead',
            in_channels=1280,
            in_index=0,
            channels=1280,
            num_convs=0,  # the classifier alone: a 1x1 conv
            concat_input=False,
            dropout_ratio=0.1,
            norm_cfg=norm_cfg,
            align_corners=False,
            # mean over labelled pixels: saliency-guided masks leave many
            # pixels at 255, which must not dilute the loss
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                avg_non_ignore=True))),
    train_cfg=dict(),
    test_cfg=dict(mode='whole', cls_suppression=True,
                  cls_correction='reweight', crf=None))
