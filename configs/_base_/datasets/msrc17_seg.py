# Segmentation training on MSRC-17 train with *pseudo* masks
# (pseudo_seg_map_path: a pipeline stage points it at the masks it made; a
# standalone run reads <data_root>/pseudo_masks) and image labels; val
# scored against the ground truth (mIoU).  Swap the scored split with
#   --cfg-options test_dataloader.dataset.data_root=DIR \
#       test_dataloader.dataset.ann_file=ImageSets/Segmentation/NAME.txt
_base_ = ['./msrc17_cls.py']
crop_size = (256, 256)
seg_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomResize', scale=(320, 320), ratio_range=(0.7, 1.3),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(
    dataset=dict(pipeline=seg_train_pipeline,
                 pseudo_seg_map_path='pseudo_masks'))
val_dataloader = dict(dataset=dict(pipeline={{_base_.eval_pipeline}}))
test_dataloader = val_dataloader
val_evaluator = dict(type='WSSSIoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
