# The own-data template for a folder with a few masks: DATA/masks/ holds
# <stem>.png for some photos and masks/classes.txt (README, "A few pixel
# masks").  As ae-psl_mbv2-d32_1xb16-20e_custom-long320.py (which already
# trains the masked photos on their masks and chooses the pseudo-mask
# thresholds on them), and the masks also train a teacher whose object
# pixels go over the pseudo masks PSL trains on
# (_base_/pipelines/masks_teacher.py); the work dir holds the masks-only
# baseline too (stage masks_only, scored by test_masks_only on the
# held-back photos' image mAP).  A folder without masks/ stops at stage
# masks_only: use the template.
#   python tools/train.py \
#       configs/custom/ae-psl-teacher_mbv2-d32_1xb16-20e_custom-long320.py \
#       --work-dir W --cfg-options data_root=DATA
_base_ = ['./ae-psl_mbv2-d32_1xb16-20e_custom-long320.py',
          '../_base_/pipelines/masks_teacher.py']
stages = _base_.teacher_stages
stages.update(score_teacher_labels=None)  # no masks to score against
