# PSL on the tiny ResNet-18 of the synthetic demo (output stride 8): MMSeg's
# FCNHead wrapped by PSLHead, whose branch classifies the backbone feature.
data_preprocessor = dict(
    type='WSSSDataPreProcessor',
    mean=[127.5, 127.5, 127.5],
    std=[64.0, 64.0, 64.0],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='WSSSEncoderDecoder',
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
        norm_cfg=norm_cfg,
        contract_dilation=True),
    decode_head=dict(
        type='PSLHead',
        cls_in_channels=128,
        cls_dropout=0.1,
        online_loss_weight=1.0,
        # online masks from half-way through training (see PSLHead: used
        # from the first iteration they teach background everywhere)
        online_start=0.5,
        cls_threshold=0.5,
        seg_head=dict(
            type='FCNHead',
            in_channels=128,
            in_index=0,
            channels=64,
            num_convs=1,
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
