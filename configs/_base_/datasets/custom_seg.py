# Segmentation on a user's own tagged photos: training on the train split's
# pseudo masks (pseudo_seg_map_path, set by the pipeline), whole images,
# flipped.  Photos keep their shape: the long side is resized to 320 (a
# portrait stays portrait, where MSRC-17's recipe squashes every photo to
# 320x224), and a batch is padded to its largest photo (the model's data
# preprocessor: size_divisor=32; padding is ignored by the losses and cut
# off predictions).
# No masks exist: validation scores the PSL branch's image mAP on the
# held-back val split (WSSSEncoderDecoder packs pred_cls_scores).
_base_ = ['./custom_cls.py']
seg_scale = (320, 320)  # the long side; keep_ratio
seg_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='Resize', scale=seg_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]
# MMSeg's loader by name: MMSegInferencer and mmseg.apis take the config
seg_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=seg_scale, keep_ratio=True),
    dict(type='PackWSSSInputs'),
]
test_pipeline = seg_test_pipeline
train_dataloader = dict(
    dataset=dict(pipeline=seg_train_pipeline,
                 pseudo_seg_map_path='pseudo_masks'))
val_dataloader = dict(dataset=dict(pipeline=seg_test_pipeline))
test_dataloader = val_dataloader
cam_dataloader = dict(dataset=dict(pipeline=seg_test_pipeline))
