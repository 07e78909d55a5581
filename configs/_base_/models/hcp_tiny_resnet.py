# HCP classifier on the narrow ResNet-18 of cam_tiny_resnet.py (output
# stride 8, 128 channels, randomly initialised): the synthetic demo's.
# Batches are padded to a multiple of the stride.
_base_ = ['./cam_tiny_resnet.py']
data_preprocessor = dict(_base_.data_preprocessor, size_divisor=8)
model = dict(
    _delete_=True,
    type='HCPClassifier',
    data_preprocessor=data_preprocessor,
    backbone=_base_.tiny_resnet,
    head=dict(
        type='HCPHead',
        in_channels=128,
        roi_size=5,
        dropout_ratio=0.1,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')))
