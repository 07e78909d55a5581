# PSL on the tiny ResNet-18 of the synthetic demo (tiny_resnet.py, output
# stride 8): MMSeg's FCNHead wrapped by PSLHead, whose branch classifies the
# backbone feature.  PSLHead's settings, the loss and test_cfg:
# psl_common.py.
_base_ = ['./psl_common.py', './tiny_resnet.py']
# no ImageNet statistics: pixels mapped to about [-2, 2]
data_preprocessor = dict(mean=[127.5, 127.5, 127.5], std=[64.0, 64.0, 64.0])
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=_base_.tiny_resnet,
    decode_head=dict(
        cls_in_channels=128,
        cls_dropout=0.1,
        seg_head=dict(
            type='FCNHead',
            in_channels=128,
            in_index=0,
            channels=64,
            num_convs=1,
            concat_input=False,
            dropout_ratio=0.1,
            norm_cfg=norm_cfg)))
