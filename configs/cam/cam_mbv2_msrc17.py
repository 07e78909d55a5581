# CPU-sized CAM classifier on MSRC-17 train (image labels only): ImageNet
# MobileNetV2 (run tools/model_converters/mobilenetv2_tonylins.py first),
# output stride 8, crop 256, batch 16.
_base_ = [
    '../_base_/models/cam_mbv2.py', '../_base_/datasets/msrc17_cls.py',
    '../_base_/schedules/cls_sgd_poly.py', '../_base_/default_runtime.py'
]
model = dict(
    data_preprocessor=dict(size=(256, 256)),
    head=dict(num_classes=17))
max_epochs = 12
optim_wrapper = dict(optimizer=dict(lr=0.01))
train_cfg = dict(max_epochs=max_epochs, val_interval=4)
default_hooks = dict(logger=dict(interval=5))
