# AE-PSL on MSRC-17 with a few pixel masks + the tags of the rest
# (semi-supervised): the 74 images of train_pixel_25pct.txt (drawn at random
# by the dataset, not by content) train every segmentation stage on their
# true masks, choose the pseudo-mask thresholds, and are never overwritten
# by pseudo or PSL++ masks; the other 221 train images stay tags only.
#   python tools/train.py \
#       configs/semi/ae-psl-pixel25pct_mbv2-d32_1xb16-20e_msrc17-224x320.py
# Baselines, always beside it: tags only
# (configs/ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py) and masks only
# (configs/semi/psl-masksonly25pct_mbv2-d32_1xb16-76e_msrc17-224x320.py).
_base_ = [
    '../ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py',
    '../_base_/pipelines/pixel_subset.py'
]
pixel_list = 'ImageSets/Segmentation/train_pixel_25pct.txt'
# stage configs are found from this folder
classifier = '../ae/ae_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py'
segmentor = '../psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py'
