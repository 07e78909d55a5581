# PSL on ImageNet MobileNetV2 (mmpretrain's, the shared tonylins weights
# converted at load time): its last 1280-channel features (output stride
# 32), a 1x1-conv segmentation head, and PSL's classification branch on the
# same features.  Every layer trains, batch norm in train mode.  The plain
# recipe of docs/benchmarks.md ("segmentation recipe"): on MSRC-17 it beat
# the ASPP / frozen-BN / crop recipe by ~28 val mIoU at full supervision.
# PSLHead's settings, the loss and test_cfg: psl_common.py.
_base_ = ['./psl_common.py']
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(
        type='mmpretrain.MobileNetV2',
        widen_factor=1.,
        out_indices=(7, ),
        norm_eval=False,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='mobilenetv2_tonylins://'
            'mmwsss-weights://mobilenetv2_imagenet')),
    decode_head=dict(
        cls_in_channels=1280,
        cls_dropout=0.1,
        seg_head=dict(
            type='FCNHead',
            in_channels=1280,
            in_index=0,
            channels=1280,
            num_convs=0,  # the classifier alone: a 1x1 conv
            concat_input=False,
            dropout_ratio=0.1,
            norm_cfg=norm_cfg)))
