# The AffinityNet of
# configs/custom/ae-psl-affinity_mbv2-d32_1xb16-20e_custom-long320.py:
# MSRC-17's (configs/affinity/affinitynet_mbv2-d16_1xb16-8e_msrc17-224x320.py)
# on a folder of tagged photos.
_base_ = ['../_base_/models/affinity_mbv2.py',
          '../_base_/datasets/custom_seg.py',
          '../_base_/schedules/affinity_adamw_8e.py']
model = dict(data_preprocessor=dict(size=None, size_divisor=32))
# the random walk runs on the photos as they are: no resize
cam_dataloader = dict(
    batch_size=1,
    dataset=dict(pipeline=[
        dict(type='LoadCheckedImageFromFile'),
        dict(type='PackWSSSInputs')
    ]))
default_hooks = dict(logger=dict(interval=10))
# no validation (configs/_base_/schedules/affinity_adamw_8e.py says why)
val_dataloader = val_evaluator = None
test_dataloader = test_evaluator = None
runner_type = 'WSSSRunner'  # as the other own-data configs
