# BASELINE, masks only: the VOC segmentor of
# psl/psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py (DeepLab-LargeFOV,
# same schedule and test-time settings) trained on the 1,464 true masks of VOC
# 2012 `train` alone (SegmentationClassAug), no tag of any other image: what
# the semi-supervised pipeline
# (ae-psl-largefov-pixel1464_vgg16-d8_1xb20-6k_voc12aug-321x321.py) must beat
# besides the tags-only one.  The schedule counts iterations (6k), so the
# budget is the recipe's.
#   python tools/train.py \
#   configs/semi/psl-largefov-masksonly1464_vgg16-d8_1xb20-6k_voc12aug-321x321.py  # noqa: E501
_base_ = ['../psl/psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py']
train_dataloader = dict(dataset=dict(
    ann_file='ImageSets/Segmentation/train.txt', pseudo_seg_map_path=None))
