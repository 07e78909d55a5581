# The AE-PSL paper's segmentation network: DeepLab-LargeFOV (VGG16 with
# pool4/pool5 at stride 1 and dilated conv5 -> output stride 8; fc6 3x3
# dilated 12, fc7 1x1, both 1024 wide), plus PSL's classification branch on
# the conv5 feature.  fc6/fc7 start random (torchvision's VGG16 has no
# subsampled fc6 as DeepLab's caffe model) and train at 10x like fc8.
# PSLHead's settings, the loss and test_cfg: psl_common.py.
_base_ = ['./psl_common.py']
model = dict(
    backbone=dict(
        type='DilatedVGG16',
        output_stride=8,
        with_pool5=True,
        init_cfg=dict(type='Pretrained',
                      checkpoint='mmwsss-weights://vgg16_imagenet')),
    decode_head=dict(
        cls_in_channels=512,
        cls_dropout=0.5,
        seg_head=dict(
            type='LargeFOVHead',
            in_channels=512,
            channels=1024,
            dilation=12,
            dropout_ratio=0.5)))
