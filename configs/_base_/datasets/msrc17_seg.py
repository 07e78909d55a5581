# Segmentation on MSRC-17: training on the train split's *pseudo* masks
# (pseudo_seg_map_path: a pipeline stage points it at the masks it made; a
# standalone run reads <data_root>/pseudo_masks) and image labels; val
# scored against the ground truth (mIoU).  Whole images, resized to
# 320x224 (MSRC photos are 320x213 or 320x240, a few portrait), flipped;
# predictions are resized back to each image's own size.  Swap the scored
# split with
#   --cfg-options test_dataloader.dataset.data_root=DIR \
#       test_dataloader.dataset.ann_file=ImageSets/Segmentation/NAME.txt
_base_ = ['./msrc17_cls.py']
seg_scale = (320, 224)
seg_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='Resize', scale=seg_scale, keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]
# val/test with ground truth (MMSeg's loaders by name: MMSegInferencer-ready)
seg_eval_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=seg_scale, keep_ratio=False),
    dict(type='LoadAnnotations'),
    dict(type='PackWSSSInputs'),
]
# images alone: mmseg.apis.inference_model, PSL++ masks of the train split
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='Resize', scale=seg_scale, keep_ratio=False),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(
    dataset=dict(pipeline=seg_train_pipeline,
                 pseudo_seg_map_path='pseudo_masks'))
val_dataloader = dict(dataset=dict(pipeline=seg_eval_pipeline))
test_dataloader = val_dataloader
cam_dataloader = dict(dataset=dict(pipeline=test_pipeline))
val_evaluator = dict(type='WSSSIoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
