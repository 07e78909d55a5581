# STC's network on the synthetic demo data (the tiny ResNet + FCN head of
# psl/psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py with soft-target training):
# its train pipeline loads soft targets from saliency or a (pseudo) mask,
# whichever the dataset routes (LoadSegTargets), so one config serves I-, E-
# and P-DCNN.  No classifier: trained from scratch.
_base_ = ['../psl/psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py']
model = dict(
    decode_head=dict(
        _delete_=True,
        type='SoftLabelHead',
        # the PSL segmentor's seg head, trained on soft targets
        seg_head=dict(
            _base_.model.decode_head.seg_head,
            loss_decode=dict(type='SoftLabelCrossEntropyLoss'))),
    test_cfg=dict(mode='whole'))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadSegTargets'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]))
# the synthetic images have no photographic saliency; the spectral
# residual backend (numpy only) finds their objects
saliency = dict(type='SpectralResidualSaliency')
