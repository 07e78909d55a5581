# The segmentor of configs/custom/ae_psl_mbv2_custom.py: MSRC-17's recipe
# (configs/psl/psl_mbv2_20e_msrc17.py) on a folder of tagged photos.
_base_ = [
    '../_base_/models/psl_mbv2.py', '../_base_/datasets/custom_seg.py',
    '../_base_/schedules/seg_epochs.py', '../_base_/default_runtime.py'
]
model = dict(
    data_preprocessor=dict(size=(224, 320)),
    decode_head=dict(seg_head=dict(num_classes=None)))  # from labels.txt
max_epochs = 20
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=1e-2))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=True, begin=0,
         end=max_epochs, convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(logger=dict(interval=10))
val_evaluator = dict(type='ImageLabelMetric')
test_evaluator = val_evaluator
