# Segmentation training on the synthetic demo data: the training split with
# *pseudo* masks (pseudo_seg_map_path; a pipeline stage points it at the
# masks it made, a standalone run reads <data_root>/pseudo_masks), image
# labels as before; val scored against the ground truth (mIoU).
_base_ = ['./synthetic_cls.py']
seg_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(
    dataset=dict(pipeline=seg_train_pipeline,
                 pseudo_seg_map_path='pseudo_masks'))
val_dataloader = dict(dataset=dict(pipeline=_base_.eval_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='WSSSIoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
