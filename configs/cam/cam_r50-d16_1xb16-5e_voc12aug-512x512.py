# IRN-style ResNet-50 CAM classifier on VOC 2012 train_aug: 5 epochs,
# batch 16, crop 512, lr 0.01 (head 0.1).
_base_ = ['../_base_/models/cam_r50.py',
          '../_base_/datasets/voc12_aug_cls.py',
          '../_base_/schedules/cls_sgd_poly.py']
model = dict(data_preprocessor=dict(size=(512, 512)),
             head=dict(num_classes=_base_.num_classes))
