# AE-PSL on VOC 2012 with pixel masks + tags: the standard semi-weak split
# (the 1,464 images of VOC 2012 `train`, whose SegmentationClassAug masks
# are their true masks, plus the tags of the other 9,118 train_aug images).
# The labelled images train every segmentation stage on their true masks,
# choose the pseudo-mask thresholds, and are never overwritten by pseudo or
# PSL++ masks.
#   python tools/train.py configs/semi/ae_psl_vgg16_voc-pixel1464.py
# Baselines: tags only (configs/ae_psl_vgg16_voc.py) and masks only
# (configs/semi/psl_largefov_vgg16_6k_voc12-pixel1464-masks-only.py).
_base_ = ['../ae_psl_vgg16_voc.py', '../_base_/pipelines/pixel_subset.py']
pixel_list = 'ImageSets/Segmentation/train.txt'
# stage configs are found from this folder
classifier = '../ae/ae_vgg16_voc.py'
segmentor = '../psl/psl_largefov_vgg16_6k_voc12aug.py'
