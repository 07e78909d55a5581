# What the image-label datasets in VOC's layout share (msrc17_cls.py,
# voc12_aug_cls.py, synthetic_cls.py; coco2014_cls.py through VOC's):
#   <data_root>/JPEGImages/*.jpg   <data_root>/SegmentationClass/*.png
#   <data_root>/ImageSets/Segmentation/{train,val}.txt
# the splits and the loaders' datasets below; the ground-truth eval
# pipeline of the *_seg.py files.  A dataset file inherits this one and
# merges its dataset_type and data_root (and any other folder) into
# train_split, val_split and the loaders; samplers: cls_common.py.
_base_ = ['./cls_common.py']
# segmentation val/test: MMSeg's own loaders by name, so MMSegInferencer
# and mmseg.apis take the config as it is (WSSSIoUMetric checks the masks)
eval_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackWSSSInputs'),
]
train_split = dict(
    data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
    ann_file='ImageSets/Segmentation/train.txt')
val_split = dict(train_split, ann_file='ImageSets/Segmentation/val.txt')
train_dataloader = dict(dataset=train_split)
val_dataloader = dict(dataset=val_split)
test_dataloader = val_dataloader
cam_dataloader = dict(dataset=train_split)
