# The proposal-based baseline end to end on the embedded synthetic data
# (runs in the tests):
#   python tools/train.py \
#       configs/hcp/hcp_tinyr18-d8_1xb16-12e_synthetic-96x96.py
# Segmentation: STC's synthetic network
# (stc/stc-dcnn_tinyr18-d8_1xb16-12e_synthetic-96x96.py), initialised from the
# HCP classifier's backbone.
_base_ = ['../_base_/pipelines/hcp.py']
classifier = 'hcp-classifier_tinyr18-d8_1xb16-20e_synthetic-96x96.py'
segmentor = '../stc/stc-dcnn_tinyr18-d8_1xb16-12e_synthetic-96x96.py'
data_root = 'data/synthetic'
_from_classifier = dict(inputs=dict(init='classifier.checkpoint'),
                        cfg_options={'load_from': '{init}'})
stages = dict(segmentation=_from_classifier)
# with pixel masks, the teachers start from it too
pixel_subset_stages = dict(masks_only=_from_classifier,
                           half_teacher=_from_classifier)
common_cfg_options = {
    f'{loader}.dataset.data_root': '{data_root}'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                   'cam_dataloader')
}
