# Adversarial erasing as in the AE paper (Wei et al., CVPR 2017) on VOC 2012
# train_aug: the ImageNet VGG16 CAM classifier (dilated conv5, stride 8),
# erasing steps of ~5 epochs each, regions above 0.8 of the normalised CAM
# (about the top 20%), 4 steps trained so the paper's 3-step fusion and its
# 4th-step drop can both be reproduced.  Saliency: U^2-Net-p (the paper used
# DCL/DSS saliency; any precomputed maps work with FolderSaliency).
_base_ = ['../_base_/models/cam_vgg16.py',
          '../_base_/datasets/voc12_aug_cls.py',
          '../_base_/schedules/ae_steps.py']
model = dict(data_preprocessor=dict(size=(512, 512)),
             head=dict(num_classes=_base_.num_classes))
optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(epochs_per_step=[5, 5, 5, 5], mining_threshold=0.8,
                 val_interval=5)
train_dataloader = dict(
    dataset=dict(pipeline=_base_.erasing_train_pipeline))
saliency = dict(type='U2NetpSaliency', model_path='mmwsss-weights://u2netp')
