# Adversarial erasing on the synthetic demo data (runs in CI): the tiny
# ResNet CAM classifier; a long first step (plain CAM training), then two
# erasing steps.  Plain CAMs fire on
# each object's coloured mark; erasing it forces the classifier to use the
# body's shape.
_base_ = [
    '../_base_/models/cam_tiny_resnet.py',
    '../_base_/datasets/synthetic_cls.py', '../_base_/schedules/ae_steps.py',
    '../_base_/default_runtime.py'
]
model = dict(
    data_preprocessor=dict(size=(96, 96)),
    head=dict(num_classes=5))
epochs_per_step = [20, 8, 8]
max_steps = 3
max_epochs = sum(epochs_per_step)
optim_wrapper = dict(
    optimizer=dict(lr=0.1),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=1.0)}))
param_scheduler = [
    dict(
        type='CosineRestartLR',
        periods=epochs_per_step,
        restart_weights=[1.0] * max_steps,
        eta_min=0.0,
        by_epoch=True,
        convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=4)
default_hooks = dict(logger=dict(interval=10))

erasing_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='EraseMinedRegions'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=erasing_train_pipeline))
custom_hooks = [
    dict(
        type='AdversarialErasingHook',
        epochs_per_step=epochs_per_step,
        max_steps=max_steps,
        mining_threshold=0.5,
        stop_loss_ratio=0.9,
        grid=48,
        mining_batch_size=20)
]
