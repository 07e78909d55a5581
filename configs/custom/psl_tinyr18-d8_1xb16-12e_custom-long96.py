# configs/psl/psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py on a folder of tagged
# photos (small images: the long side resized to 96, shapes kept); validation:
# the branch's image mAP.
_base_ = ['../_base_/models/psl_tiny_resnet.py',
          '../_base_/datasets/custom_seg.py',
          '../_base_/schedules/seg_sgd_12e.py']
model = dict(
    data_preprocessor=dict(size=None, size_divisor=32),
    decode_head=dict(seg_head=dict(num_classes=None)))  # from labels.txt
seg_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='Resize', scale=(96, 96), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]
seg_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(96, 96), keep_ratio=True),
    dict(type='PackWSSSInputs'),
]
test_pipeline = seg_test_pipeline
train_dataloader = dict(num_workers=0, persistent_workers=False,
                        dataset=dict(pipeline=seg_train_pipeline))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(pipeline=seg_test_pipeline))
test_dataloader = val_dataloader
cam_dataloader = dict(num_workers=0,
                      dataset=dict(pipeline=seg_test_pipeline))
val_evaluator = dict(type='ImageLabelMetric')
test_evaluator = val_evaluator
default_hooks = dict(
    logger=dict(interval=10), visualization=dict(type='WSSSVisualizationHook'))
# MMSeg's own tools/train.py builds this runner: it completes the config as
# mmwsss's tools do (data_root=DIR reaches the datasets, num_classes comes
# from labels.txt); the hook lets MMSeg's tools/test.py --show-dir draw
# without building the training set (mmwsss/apis/mmseg_tools.py)
runner_type = 'WSSSRunner'
