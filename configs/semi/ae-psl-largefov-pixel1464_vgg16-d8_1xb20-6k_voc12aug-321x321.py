# AE-PSL on VOC 2012 with pixel masks + tags: the standard semi-weak split
# (the 1,464 images of VOC 2012 `train`, whose SegmentationClassAug masks
# are their true masks, plus the tags of the other 9,118 train_aug images).
# The labelled images train every segmentation stage on their true masks,
# choose the pseudo-mask thresholds, and are never overwritten by pseudo or
# PSL++ masks.
#   python tools/train.py \
#   configs/semi/ae-psl-largefov-pixel1464_vgg16-d8_1xb20-6k_voc12aug-321x321.py  # noqa: E501
# Baselines: tags only
# (configs/ae-psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py) and masks
# only (this folder's
# psl-largefov-masksonly1464_vgg16-d8_1xb20-6k_voc12aug-321x321.py).
_base_ = [
    '../ae-psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py',
    '../_base_/pipelines/pixel_subset.py'
]
pixel_list = 'ImageSets/Segmentation/train.txt'
# stage configs are found from this folder
classifier = '../ae/ae_vgg16-d8_1xb16-5-5-5-5e_voc12aug-512x512.py'
segmentor = '../psl/psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py'
