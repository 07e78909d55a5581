# PASCAL VOC 2012 + SBD (train_aug: 10,582 images; val: 1,449) with image-level
# labels derived from the masks (the cls_labels of PSA/IRN).  Expected layout:
#   data/VOCdevkit/VOC2012/{JPEGImages,SegmentationClassAug,Annotations}
#   data/VOCdevkit/VOC2012/ImageSets/Segmentation/{train_aug,val}.txt
# Splits and eval pipeline: voc_layout_cls.py (here the augmented masks and
# train_aug); samplers, the CAM loader and the metric: cls_common.py.
_base_ = ['./voc_layout_cls.py']
dataset_type = 'VOCWSSSDataset'
data_root = 'data/VOCdevkit/VOC2012'
train_split = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(seg_map_path='SegmentationClassAug'),
    ann_file='ImageSets/Segmentation/train_aug.txt')
val_split = dict(train_split, ann_file='ImageSets/Segmentation/val.txt')
num_classes = 21
crop_size = (512, 512)
train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomResize', scale=(512, 512), ratio_range=(0.625, 1.25),
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
    batch_size=1,
    num_workers='auto',
    persistent_workers=True,
    dataset=val_split)
test_dataloader = val_dataloader
cam_dataloader = dict(batch_size=1, num_workers='auto', dataset=train_split)
# adversarial erasing: mined regions painted out right after loading,
# so every augmentation moves them with the image
erasing_train_pipeline = [
    train_pipeline[0], dict(type='EraseMinedRegions'), *train_pipeline[1:]
]
