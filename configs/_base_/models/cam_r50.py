# IRN-style CAM classifier: ImageNet ResNet-50 (torchvision layout, the mmseg
# ResNet v1b keys match torchvision's), last stage without stride
# (output stride 16), 1x1 classifier, GAP (cam_common.py).
_base_ = ['./cam_common.py']
model = dict(
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(3, ),
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 1),
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        frozen_stages=1,
        init_cfg=dict(type='Pretrained',
                      checkpoint='mmwsss-weights://resnet50_imagenet')),
    head=dict(in_channels=2048))
