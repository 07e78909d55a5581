# AE-paper CAM classifier: ImageNet VGG16, conv5 dilated (stride 8, as in
# DeepLab-LargeFOV), extra 3x3x1024 convs, 1x1 classifier, GAP
# (cam_common.py).  The weights are torchvision's vgg16 (keys features.N);
# offline, point checkpoint at a local copy of that file.
_base_ = ['./cam_common.py']
model = dict(
    backbone=dict(
        type='DilatedVGG16',
        output_stride=8,
        with_pool5=False,
        init_cfg=dict(type='Pretrained',
                      checkpoint='mmwsss-weights://vgg16_imagenet')),
    head=dict(
        in_channels=512, num_convs=2, conv_channels=1024, dropout_ratio=0.5))
