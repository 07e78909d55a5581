# MS-COCO 2014 for WSSS (80 classes + background; train 82,081, val 40,137)
# with image-level labels read from the instance annotations.  Layout:
#   data/coco/JPEGImages/{train2014,val2014}/*.jpg
#   data/coco/SegmentationClass/{train2014,val2014}/*.png  (VOC-style PNGs)
#   data/coco/annotations/instances_{train2014,val2014}.json
#   data/coco/ImageSets/{train,val}.txt  (image file stems)
dataset_type = 'COCOWSSSDataset'
data_root = 'data/coco'
num_classes = 81
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
# adversarial erasing: mined regions painted out right after loading,
# so every augmentation moves them with the image
erasing_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='EraseMinedRegions'),
    dict(type='RandomResize', scale=(512, 512), ratio_range=(0.625, 1.25),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackWSSSInputs'),
]
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='PackWSSSInputs'),
]
# segmentation val/test: MMSeg's own loaders by name, so MMSegInferencer
# and mmseg.apis take the config as it is (WSSSIoUMetric checks the masks)
eval_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackWSSSInputs'),
]
train_split = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(
        img_path='JPEGImages/train2014',
        seg_map_path='SegmentationClass/train2014'),
    ann_file='ImageSets/train.txt',
    instance_file='annotations/instances_train2014.json')
val_split = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(
        img_path='JPEGImages/val2014',
        seg_map_path='SegmentationClass/val2014'),
    ann_file='ImageSets/val.txt',
    instance_file='annotations/instances_val2014.json')
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**train_split, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**val_split, pipeline=test_pipeline))
test_dataloader = val_dataloader
cam_dataloader = dict(
    batch_size=1,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**train_split, pipeline=test_pipeline))
val_evaluator = dict(type='ImageLabelMetric')
test_evaluator = val_evaluator
