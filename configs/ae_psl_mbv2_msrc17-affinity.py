# AE-PSL on MSRC-17 with the affinity rung: the saliency-guided pseudo
# masks are completed by a random walk on learnt inter-pixel affinities
# before PSL trains on them (configs/_base_/pipelines/affinity_rung.py).
#   python tools/train.py configs/ae_psl_mbv2_msrc17-affinity.py
_base_ = ['ae_psl_mbv2_msrc17.py', '_base_/pipelines/affinity_rung.py']
affinity = 'affinity/affinity_mbv2_8e_msrc17.py'
stages = {{_base_.affinity_stages}}
