# The own-data template (ae-psl_mbv2-d32_1xb16-20e_custom-long320.py) with the
# synthetic demo's small from-scratch networks: needs no pretrained weights,
# runs in CI on a folder built from the synthetic data
# (tests/test_own_data.py).
#   python tools/train.py \
#       configs/custom/ae-psl_tinyr18-d8_1xb16-12e_custom-long96.py \
#       --work-dir W --cfg-options data_root=DATA
# Stage settings: ../_base_/pipelines/tiny_networks.py.
_base_ = [
    'ae-psl_mbv2-d32_1xb16-20e_custom-long320.py',
    '../_base_/pipelines/tiny_networks.py'
]
classifier = 'ae_tinyr18-d8_1xb16-20-8-8e_custom-long96.py'
segmentor = 'psl_tinyr18-d8_1xb16-12e_custom-long96.py'
stages = _base_.tiny_network_stages
pixel_subset_stages = _base_.tiny_network_subset_stages
