# HCP classifier of the paper setting: the ImageNet VGG16 of cam_vgg16.py
# (torchvision's weights) to conv5 at stride 16, each proposal pooled by
# RoIAlign (7x7, averaged; HCP warped every hypothesis to 227x227 and ran
# the whole network on it, RoIAlign shares the convolutions, as Fast R-CNN)
# and classified by one linear layer; image score = max over the proposals.
_base_ = ['./cam_vgg16.py']
data_preprocessor = dict(_base_.data_preprocessor, size_divisor=16)
model = dict(
    _delete_=True,
    type='HCPClassifier',
    data_preprocessor=data_preprocessor,
    backbone=dict(_base_.model.backbone, output_stride=16),
    head=dict(
        type='HCPHead',
        in_channels=512,
        roi_size=7,
        dropout_ratio=0.5,
        loss_cls=dict(type='MultiLabelSoftMarginLoss')))
