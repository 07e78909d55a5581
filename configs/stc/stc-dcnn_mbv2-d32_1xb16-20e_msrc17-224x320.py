# STC's network on MSRC-17 (CPU-sized): the PSL segmentor's recipe
# (psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py: ImageNet MobileNetV2, 1x1
# head, whole 320x224 images, AdamW 5e-4, 20 epochs) with soft-target training
# (SoftLabelHead) and no classification branch.  Its train pipeline loads soft
# targets from saliency or a (pseudo) mask, whichever the dataset routes
# (LoadSegTargets): one config serves I-, E- and P-DCNN.
_base_ = ['../psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py']
model = dict(
    decode_head=dict(
        _delete_=True,
        type='SoftLabelHead',
        # the PSL segmentor's seg head, trained on soft targets
        seg_head=dict(
            _base_.model.decode_head.seg_head,
            loss_decode=dict(type='SoftLabelCrossEntropyLoss'))),
    test_cfg=dict(_delete_=True, mode='whole'))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadSegTargets'),
    dict(type='Resize', scale=_base_.seg_scale, keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]))
saliency = dict(type='U2NetpSaliency',
                model_path='mmwsss-weights://u2netp')
