# STC end to end on the embedded synthetic data (runs in the tests):
#   python tools/train.py configs/stc/stc_tinyres_synthetic.py
# The generator lists its simple images (one object on a flat background):
# they are given explicitly here; MSRC-17 chooses them by the rules.
_base_ = ['../_base_/pipelines/stc.py']
dcnn = 'dcnn_tinyres_synthetic.py'
stages = dict(
    split=dict(simple_list='{data_root}/ImageSets/Segmentation/simple.txt'))
data_root = 'data/synthetic'
common_cfg_options = {
    f'{loader}.dataset.data_root': '{data_root}'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                   'cam_dataloader')
}
