# The synthetic demo's segmentation schedule (networks trained from
# scratch): SGD lr 0.05 everywhere (the head at 1x), poly decay to 1e-4
# stepped every iteration, 12 epochs, validation at the end.  Loops and
# hooks: seg_epochs.py.
_base_ = ['./seg_epochs.py']
max_epochs = 12
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=1.0)}))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=1e-4, by_epoch=True,
         begin=0, end=max_epochs, convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
