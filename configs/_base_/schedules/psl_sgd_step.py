# DeepLab-LargeFOV's schedule (Chen et al., ICLR 2015), which the AE-PSL
# paper trains its segmentation net with: SGD, momentum 0.9, weight decay
# 5e-4, lr 1e-3 (10x for the new layers), batch 20 of 321x321 crops, lr /10
# every 2,000 iterations, 6,000 iterations (iteration based: configs using
# it set log_processor = dict(by_epoch=False)).  Configs for other datasets
# scale max_iters and the milestones together.  Hooks: loops_hooks.py, here
# logging and saving by iteration.
_base_ = ['./loops_hooks.py']
max_iters = 6000
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=10.0)}))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[2000, 4000],
         gamma=0.1)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=50, log_metric_by_epoch=False),
    checkpoint=dict(by_epoch=False, interval=1000))
