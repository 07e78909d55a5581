# AE-PSL on MSRC-17 with the 30 true masks of train_pixel_10pct.txt + the
# tags of the other 265 train images, the masks also used as a teacher:
# the segmentor trained on them alone predicts the tags-only images
# (restricted to their tags) and its object pixels go over the pseudo
# masks PSL trains on (_base_/pipelines/masks_teacher.py).  The work dir
# also holds the masks-only baseline (stage test_masks_only).
#   python tools/train.py \
#       configs/semi/ae-psl-pixel10pct-teacher_mbv2-d32_1xb16-20e_msrc17-224x320.py
_base_ = [
    './ae-psl-pixel10pct_mbv2-d32_1xb16-20e_msrc17-224x320.py',
    '../_base_/pipelines/masks_teacher.py'
]
stages = _base_.teacher_stages
