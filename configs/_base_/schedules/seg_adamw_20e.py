# The CPU-sized MobileNetV2 segmentation recipe (docs/benchmarks.md,
# "segmentation recipe"): AdamW lr 5e-4, weight decay 1e-2, poly decay
# stepped every iteration, 20 epochs, validation at the end.  Loops and
# hooks: seg_epochs.py.
_base_ = ['./seg_epochs.py']
max_epochs = 20
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=1e-2))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=True, begin=0,
         end=max_epochs, convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
