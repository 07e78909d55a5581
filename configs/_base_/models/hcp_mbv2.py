# CPU-sized HCP classifier: the ImageNet MobileNetV2 of cam_mbv2.py (output
# stride 16, 320 channels), each proposal pooled by RoIAlign (7x7,
# averaged) and classified by one linear layer; image score = max over the
# proposals.  Batches of different image sizes are padded to a multiple of
# the stride (boxes are unaffected: padding is right and bottom).
_base_ = ['./cam_mbv2.py']
data_preprocessor = dict(_base_.data_preprocessor, size_divisor=16)
model = dict(
    _delete_=True,
    type='HCPClassifier',
    data_preprocessor=data_preprocessor,
    backbone=_base_.model.backbone,
    head=dict(
        type='HCPHead',
        in_channels=320,
        roi_size=7,
        dropout_ratio=0.1,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')))
