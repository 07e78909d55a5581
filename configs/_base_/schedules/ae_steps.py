# Adversarial-erasing schedule: the AdversarialErasingLoop owns it.  A config
# states its steps once (train_cfg.epochs_per_step); max_epochs is their sum
# and the learning rate restarts (cosine) at every step, since each step
# must learn new evidence from the erased images.  Mining, the stopping rule
# and the export live in the loop too (mmwsss/engine/loops).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10.0)}))
train_cfg = dict(
    type='AdversarialErasingLoop',
    epochs_per_step=[5, 5, 5, 5],
    mining_threshold=0.8,
    stop_loss_ratio=0.9,
    grid=64,
    mining_batch_size=8,
    val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, log_metric_by_epoch=True),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=True, interval=1,
                    max_keep_ckpts=2, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook', draw=False))
