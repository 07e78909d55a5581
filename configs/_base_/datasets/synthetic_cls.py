# The embedded synthetic demo data (mmwsss.datasets.synthetic), generated
# into data_root on first use: 4 object classes + background, 96x96 images,
# 400 train / 80 val, VOC layout (splits and eval pipeline:
# voc_layout_cls.py).  Loaders' samplers, the CAM loader and the metric:
# cls_common.py; no worker processes (the demo runs on a CPU).
_base_ = ['./voc_layout_cls.py']
dataset_type = 'SyntheticWSSSDataset'
data_root = 'data/synthetic'
train_split = val_split = dict(type=dataset_type, data_root=data_root)
num_classes = 5
# whole images, flipped: they are small and every object fits
train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(
    num_workers=0, dataset=dict(train_split, pipeline=train_pipeline))
val_dataloader = dict(batch_size=20, num_workers=0, dataset=val_split)
test_dataloader = val_dataloader
cam_dataloader = dict(batch_size=20, num_workers=0, dataset=train_split)
# adversarial erasing: mined regions painted out right after loading,
# so every augmentation moves them with the image
erasing_train_pipeline = [
    train_pipeline[0], dict(type='EraseMinedRegions'), *train_pipeline[1:]
]
