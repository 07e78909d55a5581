# The AE classifier of configs/ae/ae_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py
# that also learns from the pixel-labelled subset: on those images its
# normalised CAMs are trained towards their true masks
# (mmwsss/models/losses/cam_pixel_loss.py, weight 1, the image loss's);
# every other image trains on its tags as before, drawn as before.  Used by
# configs/semi/ae-psl-pixel10pct-pixelloss_mbv2-d32_1xb16-20e_msrc17-224x320.py
# to measure whether the CAM stage gains from the masks
# (docs/benchmarks.md, "A CAM classifier that learns from the masks").
_base_ = ['../ae/ae_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py']
model = dict(train_cfg=dict(pixel_loss_weight=1.0))
_erasing = _base_.erasing_train_pipeline
train_dataloader = dict(dataset=dict(pipeline=[
    _erasing[0], dict(type='LoadTrueMaskIfLabelled'), *_erasing[1:]
]))
