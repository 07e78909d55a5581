# PSL on DeepLabV3+ (ResNet-101-D8) with VOC 2012 train_aug pseudo masks:
# MMSeg's VOC-aug recipe for this model (512x512 crops, batch 16, SGD lr
# 0.01 poly, 20k iterations) with PSL's branch.
_base_ = ['../_base_/models/psl_deeplabv3plus_r101.py',
          '../_base_/datasets/voc12_aug_seg.py',
          '../_base_/schedules/psl_sgd_step.py']
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(seg_head=dict(num_classes=_base_.num_classes)))
train_dataloader = dict(
    batch_size=16,
    dataset=dict(pipeline=[
        dict(type='LoadCheckedImageFromFile'),
        dict(type='LoadCheckedAnnotations'),
        dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 2.0),
             keep_ratio=True),
        dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PhotoMetricDistortion'),
        dict(type='PackWSSSInputs'),
    ]))
max_iters = 20000
optim_wrapper = dict(
    optimizer=dict(lr=0.01, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=1.0)}))
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=4000))
log_processor = dict(by_epoch=False)
