# The proposal baseline on MSRC-17 with the 30 pixel masks of
# train_pixel_10pct.txt + the tags of the rest: the segmentation net trains
# on their true masks (one-hot soft targets) instead of their soft
# localization maps.
#   python tools/train.py \
#       configs/semi/hcp-pixel10pct_mbv2-d32_1xb16-20e_msrc17-224x320.py
_base_ = [
    '../hcp/hcp_mbv2-d32_1xb16-20e_msrc17-224x320.py',
    '../_base_/pipelines/pixel_subset.py'
]
pixel_list = 'ImageSets/Segmentation/train_pixel_10pct.txt'
# stage configs are found from this folder
classifier = '../hcp/hcp-classifier_mbv2-d16_1xb16-12e_msrc17-long320.py'
segmentor = '../stc/stc-dcnn_mbv2-d32_1xb16-20e_msrc17-224x320.py'
