# AE-PSL on your own tagged photos with the affinity rung: the
# saliency-guided pseudo masks are completed by a random walk on learnt
# inter-pixel affinities before PSL trains on them
# (configs/_base_/pipelines/affinity_rung.py, without the score a dataset
# with ground truth adds).  Same command and data as
# configs/custom/ae-psl_mbv2-d32_1xb16-20e_custom-long320.py.
_base_ = [
    'ae-psl_mbv2-d32_1xb16-20e_custom-long320.py',
    '../_base_/pipelines/affinity_rung.py'
]
affinity = 'affinitynet_mbv2-d16_1xb16-8e_custom-long320.py'
# the rung's stages less its score (no ground truth here)
stages = {
    name: stage
    for name, stage in _base_.affinity_stages.items()
    if name != 'score_affinity_labels'
}
pixel_subset_stages = _base_.affinity_subset_stages
