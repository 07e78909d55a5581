# CAM classifier of the AE paper on VOC 2012 train_aug: ImageNet VGG16 with
# dilated conv5 (stride 8), 5 epochs, batch 16, crop 512.
_base_ = ['../_base_/models/cam_vgg16.py',
          '../_base_/datasets/voc12_aug_cls.py',
          '../_base_/schedules/cls_sgd_poly.py']
model = dict(data_preprocessor=dict(size=(512, 512)),
             head=dict(num_classes=_base_.num_classes))
optim_wrapper = dict(optimizer=dict(lr=0.001))
