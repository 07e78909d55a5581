# Classifier schedule: SGD + poly decay, epoch based, head at 10x lr
# (IRN/PSA practice for an ImageNet-initialised backbone).  Hooks:
# loops_hooks.py.
_base_ = ['./loops_hooks.py']
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10.0)}))
max_epochs = 5
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False, begin=0)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=1)
