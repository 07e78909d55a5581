# Segmentation training on COCO 2014 train (82,081 images) with *pseudo*
# masks (pseudo_seg_map_path, as voc12_aug_seg.py) and image labels from the
# instance file; val2014 scored against the VOC-style PNGs by mIoU.
_base_ = ['./coco2014_cls.py']
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
