# BASELINE, masks only: the MSRC-17 segmentor of
# psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py (same backbone, head, batch,
# optimiser, test-time settings) trained on the 15 true masks of
# train_pixel_5pct.txt alone, no tag of any other image: what the
# semi-supervised pipeline
# (ae-psl-pixel5pct_mbv2-d32_1xb16-20e_msrc17-224x320.py) must beat besides the
# tags-only one.  Same optimisation budget as the recipe: 380 iterations (20
# epochs of 295 images at batch 16), here 380 epochs of 15 images.
#   python tools/train.py \
#       configs/semi/psl-masksonly5pct_mbv2-d32_1xb16-380e_msrc17-224x320.py
_base_ = [
    '../fully_supervised/psl-gtmasks_mbv2-d32_1xb16-20e_msrc17-224x320.py'
]
train_dataloader = dict(dataset=dict(
    ann_file='ImageSets/Segmentation/train_pixel_5pct.txt'))
max_epochs = 380
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=True, begin=0,
         end=max_epochs, convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=10))
