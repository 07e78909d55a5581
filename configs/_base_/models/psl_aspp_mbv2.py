# PSL on ImageNet MobileNetV2 (output stride 16, as the CAM classifier of
# cam_mbv2.py): MMSeg's ASPPHead (DeepLabV3) wrapped by PSLHead, whose
# classification branch reads the same 320-channel feature.
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
        type='MobileNetV2',
        widen_factor=1.,
        strides=(1, 2, 2, 2, 1, 1, 1),
        dilations=(1, 1, 1, 1, 1, 2, 2),
        # two outputs: MMSeg's MobileNetV2 returns a bare tensor for one,
        # and decode heads index a tuple
        out_indices=(2, 6),
        norm_cfg=norm_cfg,
        norm_eval=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='pretrained/mobilenetv2_imagenet_mmseg.pth')),
    decode_head=dict(
        type='PSLHead',
        cls_in_channels=320,
        cls_dropout=0.1,
        online_loss_weight=1.0,
        # online masks from half-way through training (see PSLHead: used
        # from the first iteration they teach background everywhere)
        online_start=0.5,
        cls_threshold=0.5,
        seg_head=dict(
            type='ASPPHead',
            in_channels=320,
            in_index=1,
            channels=128,
            dilations=(1, 6, 12, 18),
            dropout_ratio=0.1,
            num_classes=21,
            norm_cfg=norm_cfg,
            align_corners=False,
            # mean over labelled pixels: saliency-guided masks leave many
            # pixels at 255, which must not dilute the loss
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                avg_non_ignore=True))),
    train_cfg=dict(),
    test_cfg=dict(mode='whole', cls_suppression=True, crf=None))
