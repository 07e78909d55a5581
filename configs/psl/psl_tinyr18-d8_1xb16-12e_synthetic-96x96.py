# PSL on the synthetic demo data: trains on the pseudo masks of
# train_dataloader.dataset.pseudo_seg_map_path (set by the AE-PSL pipeline,
# configs/ae-psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py), scored by mIoU on
# val.
_base_ = ['../_base_/models/psl_tiny_resnet.py',
          '../_base_/datasets/synthetic_seg.py',
          '../_base_/schedules/seg_sgd_12e.py']
model = dict(
    data_preprocessor=dict(size=(96, 96)),
    decode_head=dict(seg_head=dict(num_classes=_base_.num_classes)))
default_hooks = dict(logger=dict(interval=10))
