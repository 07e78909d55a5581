# The loops and hooks every schedule shares: MMEngine's val/test loops and
# epoch-based logging and checkpoints (every epoch, the last two and the
# final one kept: pipeline stages resume from the last intact one).  A
# schedule file inherits this one and sets its optimizer, learning-rate
# schedule and train loop; an iteration-based one also logs and saves by
# iteration (psl_sgd_step.py).  Every schedule brings the runtime
# (default_runtime.py) with it: configs list model, dataset and schedule.
_base_ = ['../default_runtime.py']
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, log_metric_by_epoch=True),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=True, interval=1,
                    max_keep_ckpts=2, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='WSSSVisualizationHook', draw=False))
