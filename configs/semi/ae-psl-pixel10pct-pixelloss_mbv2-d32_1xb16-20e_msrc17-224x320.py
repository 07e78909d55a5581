# configs/semi/ae-psl-pixel10pct_mbv2-d32_1xb16-20e_msrc17-224x320.py with a
# classifier that also learns from the 30 true masks (its CAMs trained
# towards them, configs/semi/ae-pixelloss_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py).
# A measurement of the CAM stage learning from the masks: the cue rungs
# (cam_labels, ae_labels, pseudo_labels) on the 265 tags-only images,
# against the pipeline without it (docs/benchmarks.md).
_base_ = ['./ae-psl-pixel10pct_mbv2-d32_1xb16-20e_msrc17-224x320.py']
classifier = 'ae-pixelloss_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py'
