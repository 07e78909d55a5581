# What every image-label (classification) dataset file shares.  Each of
# them (voc12_aug_cls.py, coco2014_cls.py, msrc17_cls.py, synthetic_cls.py,
# custom_cls.py) inherits this one and sets its own data: dataset_type,
# data_root, its splits, its training augmentation (train_pipeline; the
# photo recipe msrc17_cls.py and custom_cls.py share:
# photo_augmentation_cls.py), its loaders' sizes.  The loaders below are
# merged with the dataset file's.
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(
    batch_size=16, sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
# the images CAMs and pseudo masks are made for: the training split, seen
# without augmentation
cam_dataloader = dict(
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline=test_pipeline))
val_evaluator = dict(type='ImageLabelMetric')
test_evaluator = val_evaluator
