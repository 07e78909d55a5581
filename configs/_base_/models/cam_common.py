# What the ImageNet-initialised CAM classifiers share (cam_mbv2.py,
# cam_r50.py, cam_vgg16.py): ImageNet normalisation, the CAM classifier (a
# 1x1 classifier on the backbone's last feature, GAP, multi-label loss) and
# its test-time CAMs (4 scales + flips).  A model file inherits this one
# and sets the backbone and the head's input; the dicts are merged.
norm_mean = [123.675, 116.28, 103.53]
norm_std = [58.395, 57.12, 57.375]
data_preprocessor = dict(
    type='WSSSDataPreProcessor', mean=norm_mean, std=norm_std,
    bgr_to_rgb=True, pad_val=0, seg_pad_val=255)
model = dict(
    type='CAMClassifier',
    data_preprocessor=data_preprocessor,
    head=dict(type='CAMHead', loss_cls=dict(type='MultiLabelSoftMarginLoss')),
    test_cfg=dict(cam_scales=(1.0, 0.5, 1.5, 2.0), cam_flip=True))
