# STC on MSRC-17 with the 30 pixel masks of train_pixel_10pct.txt + the
# tags of the rest: the three DCNNs train on the true masks of the
# labelled images they see (one-hot targets for the saliency-trained
# I-DCNN), never on their pseudo masks.  strict=False: the simple-image
# stages read part of train, so the list names images they do not hold.
#   python tools/train.py \
#       configs/semi/stc-pixel10pct_mbv2-d32_1xb16-3x20e_msrc17-224x320.py
_base_ = ['../stc/stc_mbv2-d32_1xb16-3x20e_msrc17-224x320.py']
# found from this folder
dcnn = '../stc/stc-dcnn_mbv2-d32_1xb16-20e_msrc17-224x320.py'
pixel_list = 'ImageSets/Segmentation/train_pixel_10pct.txt'
common_cfg_options = {
    f'{loader}.dataset.pixel_labels': dict(ann_file=pixel_list, strict=False)
    for loader in ('train_dataloader', 'cam_dataloader')
}
