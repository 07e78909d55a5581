# DeepLab-LargeFOV's schedule (Chen et al., ICLR 2015), which the AE-PSL
# paper trains its segmentation net with: SGD, momentum 0.9, weight decay
# 5e-4, lr 1e-3 (10x for the new layers), batch 20 of 321x321 crops, lr /10
# every 2,000 iterations, 6,000 iterations (iteration based: configs using
# it set log_processor = dict(by_epoch=False)).  Configs for other datasets
# scale max_iters and the milestones together.
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
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000,
                    max_keep_ckpts=2, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook', draw=False))
