# BASELINE, masks only, on a user's own folder: the segmentor of
# ae-psl_mbv2-d32_1xb16-20e_custom-long320.py (same network, recipe and
# schedule) trained on the true masks of masks/ alone, no tag of any other
# photo: what the semi-supervised own-data route (the same template on a
# folder with masks/) must beat besides the tags-only run.  The dataset
# repeats the masked photos to the length of the whole train split, so the
# 20 epochs are as many iterations as the pipeline's segmentor gets.
#   python tools/train.py \
#       configs/custom/psl-masksonly_mbv2-d32_1xb16-20e_custom-long320.py \
#       --work-dir W --cfg-options data_root=DIR
_base_ = ['./psl_mbv2-d32_1xb16-20e_custom-long320.py']
train_dataloader = dict(
    dataset=dict(masks_only=True, pseudo_seg_map_path=None))
