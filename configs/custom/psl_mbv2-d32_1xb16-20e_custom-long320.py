# The segmentor of configs/custom/ae-psl_mbv2-d32_1xb16-20e_custom-long320.py:
# MSRC-17's recipe (configs/psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py) on a
# folder of tagged photos.
_base_ = ['../_base_/models/psl_mbv2.py',
          '../_base_/datasets/custom_seg.py',
          '../_base_/schedules/seg_adamw_20e.py']
model = dict(
    data_preprocessor=dict(size=None, size_divisor=32),
    decode_head=dict(seg_head=dict(num_classes=None)))  # from labels.txt
default_hooks = dict(
    logger=dict(interval=10), visualization=dict(type='WSSSVisualizationHook'))
val_evaluator = dict(type='ImageLabelMetric')
test_evaluator = val_evaluator
# MMSeg's own tools/train.py builds this runner: it completes the config as
# mmwsss's tools do (data_root=DIR reaches the datasets, num_classes comes
# from labels.txt); the hook lets MMSeg's tools/test.py --show-dir draw
# without building the training set (mmwsss/apis/mmseg_tools.py)
runner_type = 'WSSSRunner'
