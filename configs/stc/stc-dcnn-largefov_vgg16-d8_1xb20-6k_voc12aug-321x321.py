# STC's network in the paper setting: DeepLab-LargeFOV (VGG16, ImageNet init)
# with the DeepLab-LargeFOV schedule the PSL segmentor trains with
# (psl/psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py: SGD lr 1e-3, 10x
# head, batch 20 of 321x321 crops, 6,000 iterations), so STC and AE-PSL compare
# on one recipe.  Soft-target training (SoftLabelHead), no classification
# branch.  Its train pipeline loads soft targets from saliency or a (pseudo)
# mask, whichever the dataset routes (LoadSegTargets): one config serves I-, E-
# and P-DCNN.  This one reads VOC 2012 train_aug (the complex images);
# stc-dcnn-largefov_vgg16-d8_1xb20-6k_simplefolder-321x321.py the simple-image
# folder.
_base_ = ['../psl/psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py']
model = dict(
    decode_head=dict(
        _delete_=True,
        type='SoftLabelHead',
        # the PSL segmentor's seg head, trained on soft targets
        seg_head=dict(
            _base_.model.decode_head.seg_head,
            loss_decode=dict(type='SoftLabelCrossEntropyLoss'))),
    test_cfg=dict(_delete_=True, mode='whole'))
stc_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadSegTargets'),
    dict(type='RandomResize', scale=(500, 500), ratio_range=(0.5, 1.5),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=_base_.crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=stc_train_pipeline))
saliency = dict(type='U2NetpSaliency', model_path='mmwsss-weights://u2netp')
