# Segmentation training on VOC 2012 train_aug (10,582 images) with *pseudo*
# masks (pseudo_seg_map_path; the AE-PSL pipeline points it at its masks, a
# standalone run reads <data_root>/pseudo_masks) and image labels; val
# (1,449) scored against SegmentationClassAug by mIoU.  DeepLab-LargeFOV's
# augmentation: random scale, 321x321 crops, flips.
_base_ = ['./voc12_aug_cls.py']
crop_size = (321, 321)
seg_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomResize', scale=(500, 500), ratio_range=(0.5, 1.5),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(
    batch_size=20,
    dataset=dict(pipeline=seg_train_pipeline,
                 pseudo_seg_map_path='pseudo_masks'))
val_dataloader = dict(dataset=dict(pipeline=_base_.eval_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='WSSSIoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
