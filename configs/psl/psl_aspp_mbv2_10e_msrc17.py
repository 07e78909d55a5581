# PSL on MSRC-17 (CPU-sized): MobileNetV2 + ASPP, 10 epochs of 19 iterations
# (16 crops of 256x256) on the pseudo masks of
# train_dataloader.dataset.pseudo_seg_map_path (set by the pipeline,
# configs/ae_psl_mbv2_msrc17.py).  AdamW as the MSRC classifier (SGD barely
# moved MobileNetV2 there, see docs/benchmarks.md), new layers at 10x.
_base_ = [
    '../_base_/models/psl_aspp_mbv2.py', '../_base_/datasets/msrc17_seg.py',
    '../_base_/schedules/seg_epochs.py', '../_base_/default_runtime.py'
]
model = dict(
    data_preprocessor=dict(size=(256, 256)),
    decode_head=dict(seg_head=dict(num_classes=17)))
max_epochs = 10
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=4e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=10.0)}))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=True, begin=0,
         end=max_epochs, convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(logger=dict(interval=5))
