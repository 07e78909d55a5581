# MSRC-17 (real photos, 16 object classes + background, VOC layout; train
# 295, val 58).  Image-level labels are derived from the masks; training
# reads nothing else.  data_root is relative to the repository root, where
# ../shared is the project's shared data folder.  Splits and eval
# pipeline: voc_layout_cls.py; samplers, the CAM loader and the metric:
# cls_common.py.
_base_ = ['./voc_layout_cls.py']
dataset_type = 'MSRC17Dataset'
data_root = '../shared/data/msrc17'
train_split = val_split = dict(type=dataset_type, data_root=data_root)
num_classes = 17
crop_size = (256, 256)
# the scale the MobileNetV2 recipes were made for: 0.7-1.3 x 320, 256 crops
train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomResize', scale=(320, 320), ratio_range=(0.7, 1.3),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(
    num_workers='auto',
    persistent_workers=True,
    dataset=dict(train_split, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers='auto',
    persistent_workers=True,
    dataset=val_split)
test_dataloader = val_dataloader
cam_dataloader = dict(batch_size=8, num_workers='auto', dataset=train_split)
# adversarial erasing: mined regions painted out right after loading,
# so every augmentation moves them with the image
erasing_train_pipeline = [
    train_pipeline[0], dict(type='EraseMinedRegions'), *train_pipeline[1:]
]
