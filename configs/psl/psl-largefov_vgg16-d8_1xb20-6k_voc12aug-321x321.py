# PSL with DeepLab-LargeFOV (VGG16) on VOC 2012 train_aug pseudo masks, the
# AE-PSL paper's setting; the segmentor of
# configs/ae-psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py.
_base_ = ['../_base_/models/psl_largefov_vgg16.py',
          '../_base_/datasets/voc12_aug_seg.py',
          '../_base_/schedules/psl_sgd_step.py']
model = dict(
    data_preprocessor=dict(size=(321, 321)),
    decode_head=dict(seg_head=dict(num_classes=_base_.num_classes)))
log_processor = dict(by_epoch=False)
