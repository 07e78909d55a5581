# The proposal-based baseline end to end on the embedded synthetic data
# (runs in the tests):
#   python tools/train.py configs/hcp/hcp_tinyres_synthetic.py
# Segmentation: STC's synthetic network (stc/dcnn_tinyres_synthetic.py),
# initialised from the HCP classifier's backbone.
_base_ = ['../_base_/pipelines/hcp.py']
classifier = 'hcp-classifier_tinyres_synthetic.py'
segmentor = '../stc/dcnn_tinyres_synthetic.py'
data_root = 'data/synthetic'
stages = dict(
    segmentation=dict(
        inputs=dict(init='classifier.checkpoint'),
        cfg_options={'load_from': '{init}'}))
common_cfg_options = {
    f'{loader}.dataset.data_root': '{data_root}'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                   'cam_dataloader')
}
