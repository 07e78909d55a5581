# AE-PSL, the paper's setting (Wei et al., CVPR 2017): VOC 2012 train_aug
# with image labels, VGG16 AE classifier (3 erasing steps fused), saliency,
# PSL on DeepLab-LargeFOV, PSL++ (CRF-refined masks, retrained).
#   python tools/train.py \
#       configs/ae-psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py
#   bash tools/dist_train.sh \
#       configs/ae-psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py 8
# Data under data/VOCdevkit/VOC2012 (README), weights vgg16_imagenet and
# u2netp (README "Weights").  Paper, VOC val mIoU: 50.9 without PSL, 54.1
# PSL, 55.0 PSL++ (test 55.7).  The stages: configs/_base_/pipelines/ae_psl.py.
_base_ = ['_base_/pipelines/ae_psl.py']
classifier = 'ae/ae_vgg16-d8_1xb16-5-5-5-5e_voc12aug-512x512.py'
segmentor = 'psl/psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py'
# per-image stages (pseudo masks, CRF) use every core of the machine
# ('auto', mmwsss/utils/workers.py)
