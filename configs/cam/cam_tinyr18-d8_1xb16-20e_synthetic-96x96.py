# The embedded demo: a narrow ResNet-18 CAM classifier on the synthetic data,
# trained from scratch on the CPU in about a minute and a half.
_base_ = ['../_base_/models/cam_tiny_resnet.py',
          '../_base_/datasets/synthetic_cls.py',
          '../_base_/schedules/cls_sgd_poly.py']
model = dict(data_preprocessor=dict(size=(96, 96)),
             head=dict(num_classes=_base_.num_classes))
max_epochs = 20
optim_wrapper = _base_._cls_optim_wrapper  # the model file's
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
default_hooks = dict(logger=dict(interval=5))
