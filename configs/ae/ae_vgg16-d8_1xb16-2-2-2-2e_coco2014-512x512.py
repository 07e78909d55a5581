# Adversarial erasing with the VGG16 classifier on COCO 2014 train (81 classes
# incl. background): the classifier stage of
# configs/ae-psl-largefov_vgg16-d8_1xb20-45k_coco2014-321x321.py.  As
# ae_vgg16-d8_1xb16-5-5-5-5e_voc12aug-512x512.py; 4 steps of 2 epochs (COCO
# train is ~8x VOC train_aug, so 2 epochs see as many images as VOC's 5 do 3
# times over).
_base_ = ['../_base_/models/cam_vgg16.py',
          '../_base_/datasets/coco2014_cls.py',
          '../_base_/schedules/ae_steps.py']
model = dict(data_preprocessor=dict(size=(512, 512)),
             head=dict(num_classes=_base_.num_classes))
optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(epochs_per_step=[2, 2, 2, 2], mining_threshold=0.8,
                 val_interval=2)
train_dataloader = dict(
    dataset=dict(pipeline=_base_.erasing_train_pipeline))
saliency = dict(type='U2NetpSaliency', model_path='mmwsss-weights://u2netp')
