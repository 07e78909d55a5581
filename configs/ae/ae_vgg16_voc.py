# Adversarial erasing as in the AE paper (Wei et al., CVPR 2017) on VOC 2012
# train_aug: the ImageNet VGG16 CAM classifier (dilated conv5, stride 8),
# erasing steps of ~5 epochs each, regions above 0.8 of the normalised CAM
# (about the top 20%), 4 steps trained so the paper's 3-step fusion and its
# 4th-step drop can both be reproduced.  Saliency: U^2-Net-p (the paper used
# DCL/DSS saliency; any precomputed maps work with FolderSaliency).
_base_ = [
    '../_base_/models/cam_vgg16.py', '../_base_/datasets/voc12_aug_cls.py',
    '../_base_/schedules/ae_steps.py', '../_base_/default_runtime.py'
]
model = dict(
    data_preprocessor=dict(size=(512, 512)),
    head=dict(num_classes=21))
# ae_steps.py: 4 steps x 5 epochs, cosine restart per step
epochs_per_step = 5
max_steps = 4
optim_wrapper = dict(optimizer=dict(lr=0.001))
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
