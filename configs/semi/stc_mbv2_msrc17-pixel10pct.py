# STC on MSRC-17 with the 30 pixel masks of train_pixel_10pct.txt + the
# tags of the rest: the three DCNNs train on the true masks of the
# labelled images they see (one-hot targets for the saliency-trained
# I-DCNN), never on their pseudo masks.  strict=False: the simple-image
# stages read part of train, so the list names images they do not hold.
#   python tools/train.py configs/semi/stc_mbv2_msrc17-pixel10pct.py
_base_ = ['../stc/stc_mbv2_msrc17.py']
dcnn = '../stc/dcnn_mbv2_20e_msrc17.py'  # found from this folder
pixel_list = 'ImageSets/Segmentation/train_pixel_10pct.txt'
common_cfg_options = {
    f'{loader}.dataset.pixel_labels': dict(ann_file=pixel_list, strict=False)
    for loader in ('train_dataloader', 'cam_dataloader')
}
