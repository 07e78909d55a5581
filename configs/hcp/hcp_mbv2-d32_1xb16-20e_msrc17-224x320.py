# The proposal-based baseline on MSRC-17 (CPU-sized), from image labels:
#   python tools/train.py configs/hcp/hcp_mbv2-d32_1xb16-20e_msrc17-224x320.py
# HCP classifier on ImageNet MobileNetV2 over selective-search proposals,
# re-ranked soft localization maps, and the segmentation net of STC
# (stc/stc-dcnn_mbv2-d32_1xb16-20e_msrc17-224x320.py: the PSL recipe with soft
# targets), so the ladder HCP -> STC -> AE-PSL compares methods on one backbone
# and recipe.  The stages: configs/_base_/pipelines/hcp.py.
_base_ = ['../_base_/pipelines/hcp.py']
classifier = 'hcp-classifier_mbv2-d16_1xb16-12e_msrc17-long320.py'
segmentor = '../stc/stc-dcnn_mbv2-d32_1xb16-20e_msrc17-224x320.py'

# MSRC-17's horse has a single training image (the dataset's README says
# so): the benchmark keeps it, so the data check warns instead of stopping
dataset_check = dict(allow_rare=True)
