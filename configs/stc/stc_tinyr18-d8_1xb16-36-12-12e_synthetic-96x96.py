# STC end to end on the embedded synthetic data (runs in the tests):
#   python tools/train.py \
#       configs/stc/stc_tinyr18-d8_1xb16-36-12-12e_synthetic-96x96.py
# The generator lists its simple images (one object on a flat background):
# they are given explicitly here; MSRC-17 chooses them by the rules.
# No ImageNet weights here: I-DCNN starts from scratch and trains 3x as
# long as the warm-started E- and P-DCNN (at 12 epochs it had learnt where
# objects are but not yet which class they are).
_base_ = ['../_base_/pipelines/stc.py']
dcnn = 'stc-dcnn_tinyr18-d8_1xb16-12e_synthetic-96x96.py'
i_dcnn_epochs = 36
stages = dict(
    split=dict(simple_list='{data_root}/ImageSets/Segmentation/simple.txt'),
    i_dcnn=dict(
        cfg_options={
            'train_cfg.max_epochs': i_dcnn_epochs,
            'train_cfg.val_interval': i_dcnn_epochs,
            'param_scheduler.0.end': i_dcnn_epochs
        }))
data_root = 'data/synthetic'
common_cfg_options = {
    f'{loader}.dataset.data_root': '{data_root}'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                   'cam_dataloader')
}
