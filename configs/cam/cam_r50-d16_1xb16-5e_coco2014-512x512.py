# ResNet-50 CAM classifier on COCO 2014 train (81 classes incl. background):
# 5 epochs, batch 16, crop 512.
_base_ = ['../_base_/models/cam_r50.py',
          '../_base_/datasets/coco2014_cls.py',
          '../_base_/schedules/cls_sgd_poly.py']
model = dict(data_preprocessor=dict(size=(512, 512)),
             head=dict(num_classes=_base_.num_classes))
