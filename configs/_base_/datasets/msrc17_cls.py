# MSRC-17 (real photos, 16 object classes + background, VOC layout; train
# 295, val 58).  Image-level labels are derived from the masks; training
# reads nothing else.  data_root is relative to the repository root, where
# ../shared is the project's shared data folder.  Splits and eval
# pipeline: voc_layout_cls.py; training augmentation (0.7-1.3 x 320, 256
# crops) and its erasing variant: photo_augmentation_cls.py; samplers, the
# CAM loader and the metric: cls_common.py.
_base_ = ['./voc_layout_cls.py', './photo_augmentation_cls.py']
dataset_type = 'MSRC17Dataset'
data_root = '../shared/data/msrc17'
train_split = val_split = dict(type=dataset_type, data_root=data_root)
num_classes = 17
train_dataloader = dict(
    num_workers='auto',
    persistent_workers=True,
    dataset=dict(train_split, pipeline=_base_.train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers='auto',
    persistent_workers=True,
    dataset=val_split)
test_dataloader = val_dataloader
cam_dataloader = dict(batch_size=8, num_workers='auto', dataset=train_split)
