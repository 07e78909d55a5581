# AE-PSL on your own tagged photos, no mask needed anywhere:
#   DATA/images/<stem>.jpg   DATA/labels.txt (`stem tag tag ...` per line)
#   python tools/train.py \
#       configs/custom/ae-psl_mbv2-d32_1xb16-20e_custom-long320.py \
#       --work-dir W --cfg-options data_root=DATA
#   python tools/infer.py \
#       configs/custom/ae-psl_mbv2-d32_1xb16-20e_custom-long320.py \
#       W NEW_IMAGES \
#       --out OUT --cfg-options data_root=DATA
# MSRC-17's models and recipe (ImageNet MobileNetV2, U^2-Net-p saliency:
# README "Weights"); classes from labels.txt.  Every
# 10th image is held back: the test stage reports the final model's image
# mAP on them (there is no mask to score).
_base_ = ['../_base_/pipelines/ae_psl.py']
data_root = 'data/custom'  # DATA: set it with --cfg-options data_root=DATA
classifier = 'ae_mbv2-d16_1xb16-6-3-3e_custom-256x256.py'
segmentor = 'psl_mbv2-d32_1xb16-20e_custom-long320.py'
common_cfg_options = {
    f'{loader}.dataset.data_root': '{data_root}'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                   'cam_dataloader')
}
stages = dict(
    # no ground truth: the ladder and the val mIoU stages go
    test=dict(save_predictions=False),
    test_no_suppression=None,
    test_crf=None,
    cam_labels=None,
    ae_labels=None,
    psl_online_labels=None,
    score_cam_labels=None,
    score_ae_labels=None,
    score_pseudo_labels=None,
    score_psl_online_labels=None,
    score_psl_plus_labels=None,
    score_test=None)
# A folder with masks/ for some photos (README, "A few pixel masks"): the
# masked photos train on their masks, choose the pseudo-mask thresholds, and
# teach the segmentor that labels the rest (configs/_base_/pipelines/
# masks_teacher.py, added by the run when it finds the masks).
pixel_subset_stages = dict(score_teacher_labels=None)
