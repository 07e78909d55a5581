# AffinityNet on MSRC-17 (CPU-sized): learns which neighbouring pixels
# belong together from the labelled pixels of the pseudo masks of
# train_dataloader.dataset.pseudo_seg_map_path (set by the pipeline), whole
# 320x224 images, batch 16, 8 epochs (152 iterations).  Its affinities
# complete those masks in the pipeline's affinity_labels stage, on the
# training images at their own size (cam_dataloader).
_base_ = ['../_base_/models/affinity_mbv2.py',
          '../_base_/datasets/msrc17_seg.py',
          '../_base_/schedules/affinity_adamw_8e.py']
model = dict(data_preprocessor=dict(size=(224, 320)))
# the random walk runs on the photos as they are: no resize
cam_dataloader = dict(
    batch_size=1,
    dataset=dict(pipeline=[
        dict(type='LoadCheckedImageFromFile'),
        dict(type='PackWSSSInputs')
    ]))
default_hooks = dict(logger=dict(interval=19))
# no validation (the schedule says why)
val_dataloader = val_evaluator = None
test_dataloader = test_evaluator = None
