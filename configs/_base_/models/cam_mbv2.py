# CPU-sized CAM classifier: ImageNet MobileNetV2 (mmseg backbone, the shared
# tonylins weights converted at load time), output stride 16 (last two
# stages dilated instead of strided, as IRN's ResNet-50; stride 8 costs 4x
# the CPU time), 1x1 classifier, GAP (cam_common.py).
_base_ = ['./cam_common.py']
model = dict(
    backbone=dict(
        type='MobileNetV2',
        widen_factor=1.,
        strides=(1, 2, 2, 2, 1, 1, 1),
        dilations=(1, 1, 1, 1, 1, 2, 2),
        out_indices=(6, ),
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        # tonylins' ImageNet file (mmwsss.utils.weights), converted when loaded
        init_cfg=dict(
            type='Pretrained',
            checkpoint='mobilenetv2_tonylins://'
            'mmwsss-weights://mobilenetv2_imagenet')),
    head=dict(in_channels=320, dropout_ratio=0.1))
# its optimiser, which each config applies over its schedule's
# (optim_wrapper = _base_._cls_optim_wrapper): AdamW, head at 50x, since
# MobileNetV2's last features are small (std ~0.1) and SGD at usual rates
# barely moved the new classifier (docs/benchmarks.md)
_cls_optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=50.0)}))
