# configs/ae/ae_tinyr18-d8_1xb16-20-8-8e_synthetic-96x96.py on a folder of
# tagged photos (small images: fit into 96x96).
_base_ = ['../_base_/models/cam_tiny_resnet.py',
          '../_base_/datasets/custom_cls.py',
          '../_base_/schedules/ae_steps.py']
model = dict(
    data_preprocessor=dict(size=(96, 96)),
    head=dict(num_classes=None))  # from the dataset's labels.txt
optim_wrapper = _base_._cls_optim_wrapper  # the model file's
train_cfg = dict(epochs_per_step=[20, 8, 8], mining_threshold=0.5, grid=48,
                 mining_batch_size=20, val_interval=36)
train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='EraseMinedRegions'),
    dict(type='Resize', scale=(96, 96), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='Resize', scale=(96, 96), keep_ratio=True),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(num_workers=0, persistent_workers=False,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
cam_dataloader = dict(num_workers=0, dataset=dict(pipeline=test_pipeline))
default_hooks = dict(
    logger=dict(interval=10), visualization=dict(type='WSSSVisualizationHook'))
# MMSeg's own tools/train.py builds this runner: it completes the config as
# mmwsss's tools do (data_root=DIR reaches the datasets, num_classes comes
# from labels.txt); the hook lets MMSeg's tools/test.py --show-dir draw
# without building the training set (mmwsss/apis/mmseg_tools.py)
runner_type = 'WSSSRunner'
