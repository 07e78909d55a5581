# AE-PSL on MSRC-17 with a few pixel masks + the tags of the rest
# (semi-supervised): the 74 images of train_pixel_25pct.txt (drawn at random
# by the dataset, not by content) train every segmentation stage on their
# true masks, choose the pseudo-mask thresholds, and are never overwritten
# by pseudo or PSL++ masks; the other 221 train images stay tags only.
#   python tools/train.py configs/semi/ae_psl_mbv2_msrc17-pixel25pct.py
# Baselines, always beside it: tags only (configs/ae_psl_mbv2_msrc17.py) and
# masks only (configs/semi/psl_mbv2_20e_msrc17-pixel25pct-masks-only.py).
_base_ = [
    '../ae_psl_mbv2_msrc17.py', '../_base_/pipelines/pixel_subset.py'
]
pixel_list = 'ImageSets/Segmentation/train_pixel_25pct.txt'
# stage configs are found from this folder
classifier = '../ae/ae_mbv2_6-3-3e_msrc17.py'
segmentor = '../psl/psl_mbv2_20e_msrc17.py'
