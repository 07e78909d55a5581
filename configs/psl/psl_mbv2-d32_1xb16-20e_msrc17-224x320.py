# PSL on MSRC-17 (CPU-sized): ImageNet MobileNetV2 + 1x1 head + PSL's branch,
# whole 320x224 images, batch 16, AdamW lr 5e-4, 20 epochs (380 iterations, ~10
# min on 2 cores), on the pseudo masks of
# train_dataloader.dataset.pseudo_seg_map_path (set by the pipeline,
# configs/ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py).  The same recipe
# trained on the ground-truth masks is the upper bound
# (configs/fully_supervised/psl-gtmasks_mbv2-d32_1xb16-20e_msrc17-224x320.py).
_base_ = ['../_base_/models/psl_mbv2.py',
          '../_base_/datasets/msrc17_seg.py',
          '../_base_/schedules/seg_adamw_20e.py']
model = dict(
    data_preprocessor=dict(size=(224, 320)),
    decode_head=dict(seg_head=dict(num_classes=_base_.num_classes)))
default_hooks = dict(logger=dict(interval=19))
