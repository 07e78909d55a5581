# The training augmentation of the photo datasets at the scale the
# MobileNetV2 recipes were made for (msrc17_cls.py, custom_cls.py): random
# resize to 0.7-1.3 x 320, 256x256 crops, flips, photometric distortion;
# and its adversarial-erasing variant.  A dataset file lists it beside its
# layout, `_base_ = ['./voc_layout_cls.py', './photo_augmentation_cls.py']`
# (no key here is one of the layout's, so the two merge), and trains on
# it: `dataset=dict(train_split, pipeline=_base_.train_pipeline)`.
crop_size = (256, 256)
train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomResize', scale=(320, 320), ratio_range=(0.7, 1.3),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackWSSSInputs'),
]
# adversarial erasing: mined regions painted out right after loading,
# so every augmentation moves them with the image
erasing_train_pipeline = [
    train_pipeline[0], dict(type='EraseMinedRegions'), *train_pipeline[1:]
]
