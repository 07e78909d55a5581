# AE-PSL on MSRC-17 with the affinity rung: the saliency-guided pseudo
# masks are completed by a random walk on learnt inter-pixel affinities
# before PSL trains on them (configs/_base_/pipelines/affinity_rung.py).
#   python tools/train.py \
#       configs/ae-psl-affinity_mbv2-d32_1xb16-20e_msrc17-224x320.py
_base_ = [
    'ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py',
    '_base_/pipelines/affinity_rung.py'
]
affinity = 'affinity/affinitynet_mbv2-d16_1xb16-8e_msrc17-224x320.py'
stages = _base_.affinity_stages
pixel_subset_stages = _base_.affinity_subset_stages
