# Segmentation on a user's own tagged photos: training on the train split's
# pseudo masks (pseudo_seg_map_path, set by the pipeline), whole images
# resized to 320x224 and flipped, as configs/_base_/datasets/msrc17_seg.py.
# No masks exist: validation scores the PSL branch's image mAP on the
# held-back val split (WSSSEncoderDecoder packs pred_cls_scores).
_base_ = ['./custom_cls.py']
seg_scale = (320, 224)
seg_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='Resize', scale=seg_scale, keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]
# MMSeg's loader by name: MMSegInferencer and mmseg.apis take the config
seg_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=seg_scale, keep_ratio=False),
    dict(type='PackWSSSInputs'),
]
test_pipeline = seg_test_pipeline
train_dataloader = dict(
    dataset=dict(pipeline=seg_train_pipeline,
                 pseudo_seg_map_path='pseudo_masks'))
val_dataloader = dict(dataset=dict(pipeline=seg_test_pipeline))
test_dataloader = val_dataloader
cam_dataloader = dict(dataset=dict(pipeline=seg_test_pipeline))
