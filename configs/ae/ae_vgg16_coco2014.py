# Adversarial erasing with the VGG16 classifier on COCO 2014 train (81
# classes incl. background): the classifier stage of
# configs/ae_psl_vgg16_coco.py.  As ae_vgg16_voc.py; 4 steps of 2 epochs
# (COCO train is ~8x VOC train_aug, so 2 epochs see as many images as VOC's
# 5 do 3 times over).
_base_ = [
    '../_base_/models/cam_vgg16.py', '../_base_/datasets/coco2014_cls.py',
    '../_base_/schedules/ae_steps.py', '../_base_/default_runtime.py'
]
model = dict(
    data_preprocessor=dict(size=(512, 512)),
    head=dict(num_classes=81))
epochs_per_step = 2
max_steps = 4
max_epochs = epochs_per_step * max_steps
optim_wrapper = dict(optimizer=dict(lr=0.001))
param_scheduler = [
    dict(
        type='CosineRestartLR',
        periods=[epochs_per_step] * max_steps,
        restart_weights=[1.0] * max_steps,
        eta_min=0.0,
        by_epoch=True,
        convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=epochs_per_step)
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='LoadCheckedImageFromFile'),
        dict(type='EraseMinedRegions'),
        dict(type='RandomResize', scale=(512, 512), ratio_range=(0.625, 1.25),
             keep_ratio=True),
        dict(type='RandomCrop', crop_size=(512, 512)),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PhotoMetricDistortion'),
        dict(type='PackWSSSInputs'),
    ]))
custom_hooks = [
    dict(
        type='AdversarialErasingHook',
        epochs_per_step=epochs_per_step,
        max_steps=max_steps,
        mining_threshold=0.8,
        stop_loss_ratio=0.9,
        grid=64,
        mining_batch_size=8)
]
saliency = dict(type='U2NetpSaliency', model_path='data/weights/u2netp.onnx')
