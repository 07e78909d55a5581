# PSL on the synthetic demo data: trains on the pseudo masks of
# train_dataloader.dataset.pseudo_seg_map_path (set by the AE-PSL pipeline,
# configs/ae_psl_tinyres_synthetic.py), scored by mIoU on val.
_base_ = [
    '../_base_/models/psl_tiny_resnet.py',
    '../_base_/datasets/synthetic_seg.py', '../_base_/schedules/seg_epochs.py',
    '../_base_/default_runtime.py'
]
model = dict(
    data_preprocessor=dict(size=(96, 96)),
    decode_head=dict(seg_head=dict(num_classes={{_base_.num_classes}})))
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
default_hooks = dict(logger=dict(interval=10))
