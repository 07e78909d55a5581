# MS-COCO 2014 for WSSS (80 classes + background; train 82,081, val 40,137)
# with image-level labels read from the instance annotations.  Layout:
#   data/coco/JPEGImages/{train2014,val2014}/*.jpg
#   data/coco/SegmentationClass/{train2014,val2014}/*.png  (VOC-style PNGs)
#   data/coco/annotations/instances_{train2014,val2014}.json
#   data/coco/ImageSets/{train,val}.txt  (image file stems)
# VOC's recipe (voc12_aug_cls.py: pipelines, 512x512 crops, loader sizes)
# on COCO's layout: only the data is set here.
_base_ = ['./voc12_aug_cls.py']
dataset_type = 'COCOWSSSDataset'
data_root = 'data/coco'
num_classes = 81
train_split = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(
        img_path='JPEGImages/train2014',
        seg_map_path='SegmentationClass/train2014'),
    ann_file='ImageSets/train.txt',
    instance_file='annotations/instances_train2014.json')
val_split = dict(
    train_split,
    data_prefix=dict(
        img_path='JPEGImages/val2014',
        seg_map_path='SegmentationClass/val2014'),
    ann_file='ImageSets/val.txt',
    instance_file='annotations/instances_val2014.json')
train_dataloader = dict(dataset=train_split)
val_dataloader = dict(dataset=val_split)
test_dataloader = val_dataloader
cam_dataloader = dict(dataset=train_split)
