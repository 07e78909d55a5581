# CPU-sized CAM classifier on MSRC-17 train (image labels only): ImageNet
# MobileNetV2 (the shared tonylins weights, converted at load time),
# output stride 16, crop 256, batch 16, 12 epochs (~10 min on 2 cores).
# AdamW rather than SGD: MobileNetV2's last (linear bottleneck) features are
# small (std ~0.1), and SGD at usual rates barely moved the new classifier
# (val mAP 39 after 4 epochs vs 84 at epoch 6 with AdamW, docs/benchmarks.md).
_base_ = ['../_base_/models/cam_mbv2.py',
          '../_base_/datasets/msrc17_cls.py',
          '../_base_/schedules/cls_sgd_poly.py']
model = dict(data_preprocessor=dict(size=(256, 256)),
             head=dict(num_classes=_base_.num_classes))
max_epochs = 12
optim_wrapper = _base_._cls_optim_wrapper  # the model file's
train_cfg = dict(max_epochs=max_epochs, val_interval=2)
default_hooks = dict(logger=dict(interval=5))
