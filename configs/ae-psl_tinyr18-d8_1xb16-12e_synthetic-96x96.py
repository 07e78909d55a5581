# AE-PSL end to end on the embedded synthetic data (the README demo; runs in
# CI): adversarial-erasing classifier -> CAMs -> saliency -> saliency-guided
# pseudo masks -> PSL -> PSL++ masks (CRF) -> PSL++ retraining -> val mIoU,
# and the ladder of pseudo masks (evaluation only).
#   python tools/train.py \
#       configs/ae-psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py
# The stages: configs/_base_/pipelines/ae_psl.py.
# The small networks' stage settings: _base_/pipelines/tiny_networks.py.
_base_ = [
    '_base_/pipelines/ae_psl.py', '_base_/pipelines/tiny_networks.py'
]
classifier = 'ae/ae_tinyr18-d8_1xb16-20-8-8e_synthetic-96x96.py'
segmentor = 'psl/psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py'
stages = dict(
    _base_.tiny_network_stages,
    # a small model: the val stages beyond the final test tell little here
    test_no_suppression=None,
    test_crf=None)
pixel_subset_stages = _base_.tiny_network_subset_stages
