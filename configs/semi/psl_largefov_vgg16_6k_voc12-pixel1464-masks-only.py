# BASELINE, masks only: the VOC segmentor of
# psl/psl_largefov_vgg16_6k_voc12aug.py (DeepLab-LargeFOV, same schedule and
# test-time settings) trained on the 1,464 true masks of VOC 2012 `train`
# alone (SegmentationClassAug), no tag of any other image: what the
# semi-supervised pipeline (ae_psl_vgg16_voc-pixel1464.py) must beat
# besides the tags-only one.  The schedule counts iterations (6k), so the
# budget is the recipe's.
#   python tools/train.py \
#       configs/semi/psl_largefov_vgg16_6k_voc12-pixel1464-masks-only.py
_base_ = ['../psl/psl_largefov_vgg16_6k_voc12aug.py']
train_dataloader = dict(dataset=dict(
    ann_file='ImageSets/Segmentation/train.txt', pseudo_seg_map_path=None))
