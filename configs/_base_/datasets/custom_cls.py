# A user's own tagged photos (ImageLabelFolderDataset):
#   DATA/images/<stem>.jpg   DATA/labels.txt (`stem tag tag ...` per line)
# The classes come from labels.txt (background first, then every tag,
# sorted) unless metainfo names them.  Every 10th image of labels.txt is
# held back as `val`: there is no mask to score, so validation reports the
# classifiers' image mAP on those.  Photos of any size are resized to fit
# 320x320 (the scale the MobileNetV2 recipes were made for).  Training
# augmentation and its erasing variant: photo_augmentation_cls.py;
# loaders' samplers and the metric: cls_common.py.
_base_ = ['./cls_common.py', './photo_augmentation_cls.py']
dataset_type = 'ImageLabelFolderDataset'
data_root = 'data/custom'
image_scale = (320, 320)  # photo_augmentation_cls.py's training scale
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='PackWSSSInputs'),
]
split = dict(
    type=dataset_type,
    data_root=data_root,
    labels_file='labels.txt',
    data_prefix=dict(img_path='images'))
train_dataloader = dict(
    num_workers='auto',
    persistent_workers=True,
    dataset=dict(**split, split='train', pipeline=_base_.train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers='auto',
    persistent_workers=True,
    dataset=dict(**split, split='val', pipeline=test_pipeline))
test_dataloader = val_dataloader
cam_dataloader = dict(
    batch_size=8,
    num_workers='auto',
    dataset=dict(**split, split='train', pipeline=test_pipeline))
