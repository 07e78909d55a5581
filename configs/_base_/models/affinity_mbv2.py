# AffinityNet (PSA/IRN's inter-pixel affinities, mmwsss.models.segmentors.
# affinity_net) on ImageNet MobileNetV2 as the CAM classifier uses it
# (output stride 16, last stages dilated): three levels (1/8, 1/16, 1/16),
# each projected to 64 channels at 1/8 and fused into a 128-channel
# embedding; pairs within 5 cells (PSA).  ImageNet normalisation
# (imagenet_preprocessor.py).
_base_ = ['./imagenet_preprocessor.py']
model = dict(
    type='AffinityNet',
    data_preprocessor=_base_.data_preprocessor,
    backbone=dict(
        type='MobileNetV2',
        widen_factor=1.,
        strides=(1, 2, 2, 2, 1, 1, 1),
        dilations=(1, 1, 1, 1, 1, 2, 2),
        out_indices=(2, 4, 6),
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='mobilenetv2_tonylins://'
            'mmwsss-weights://mobilenetv2_imagenet')),
    in_channels=(32, 96, 320),
    level_channels=64,
    embed_channels=128,
    radius=5)
