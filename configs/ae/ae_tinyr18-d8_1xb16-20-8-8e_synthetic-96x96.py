# Adversarial erasing on the synthetic demo data (runs in CI): the tiny
# ResNet CAM classifier; a long first step (plain CAM training), then two
# erasing steps.  Plain CAMs fire on each object's coloured mark; erasing it
# forces the classifier to use the body's shape.
_base_ = ['../_base_/models/cam_tiny_resnet.py',
          '../_base_/datasets/synthetic_cls.py',
          '../_base_/schedules/ae_steps.py']
model = dict(data_preprocessor=dict(size=(96, 96)),
             head=dict(num_classes=_base_.num_classes))
optim_wrapper = _base_._cls_optim_wrapper  # the model file's
train_cfg = dict(epochs_per_step=[20, 8, 8], mining_threshold=0.5, grid=48,
                 mining_batch_size=20, val_interval=4)
train_dataloader = dict(
    dataset=dict(pipeline=_base_.erasing_train_pipeline))
default_hooks = dict(logger=dict(interval=10))
