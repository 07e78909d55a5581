# PSL with DeepLab-LargeFOV (VGG16) on COCO 2014 train pseudo masks.  The
# paper reports VOC only; VOC's schedule (6k iterations of 20 crops, about
# 11 epochs of train_aug) is scaled to about 11 epochs of COCO train.
_base_ = ['../_base_/models/psl_largefov_vgg16.py',
          '../_base_/datasets/coco2014_seg.py',
          '../_base_/schedules/psl_sgd_step.py']
model = dict(
    data_preprocessor=dict(size=(321, 321)),
    decode_head=dict(seg_head=dict(num_classes=_base_.num_classes)))
max_iters = 45000
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[15000, 30000],
         gamma=0.1)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=5000))
log_processor = dict(by_epoch=False)
