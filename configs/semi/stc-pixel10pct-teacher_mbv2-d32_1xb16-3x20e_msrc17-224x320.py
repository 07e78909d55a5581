# STC on MSRC-17 with the 30 true masks of train_pixel_10pct.txt + the tags
# of the rest, the masks also used as a teacher: the DCNN trained on them
# alone predicts every training image (restricted to its tags) and its
# object pixels go over E-DCNN's masks, which P-DCNN trains on
# (_base_/pipelines/masks_teacher.py).  The work dir also holds the
# masks-only baseline (stage test_masks_only).
#   python tools/train.py \
#       configs/semi/stc-pixel10pct-teacher_mbv2-d32_1xb16-3x20e_msrc17-224x320.py
_base_ = [
    './stc-pixel10pct_mbv2-d32_1xb16-3x20e_msrc17-224x320.py',
    '../_base_/pipelines/masks_teacher.py'
]
stages = _base_.stc_teacher_stages
