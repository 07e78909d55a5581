# PSL on MMSeg's DeepLabV3+ (ResNet-101-D8, ImageNet weights from
# open-mmlab's model zoo): DepthwiseSeparableASPPHead wrapped by PSLHead,
# the classification branch on the stage-4 feature.  PSLHead's settings,
# the loss and test_cfg: psl_common.py.
_base_ = ['./psl_common.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
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
                      checkpoint='mmwsss-weights://resnet101_v1c_imagenet')),
    decode_head=dict(
        cls_in_channels=2048,
        cls_in_index=3,
        cls_dropout=0.5,
        seg_head=dict(
            type='DepthwiseSeparableASPPHead',
            in_channels=2048,
            in_index=3,
            channels=512,
            dilations=(1, 12, 24, 36),
            c1_in_channels=256,
            c1_channels=48,
            dropout_ratio=0.1,
            norm_cfg=norm_cfg)))
