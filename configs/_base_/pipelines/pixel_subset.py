# A pixel-labelled subset for any pipeline on a VOC-layout dataset: the
# images of `pixel_list` (relative to the data root) may be read with their
# true masks, the rest stays tags only (README, "A few pixel masks").  A
# child pipeline adds this fragment to its bases and names the list:
#
#   _base_ = ['../ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py',
#             '../_base_/pipelines/pixel_subset.py']
#   pixel_list = 'ImageSets/Segmentation/train_pixel_10pct.txt'
pixel_list = None
# on the training images only: val stays evaluation only
common_cfg_options = {
    f'{loader}.dataset.pixel_labels': dict(ann_file='{pixel_list}')
    for loader in ('train_dataloader', 'cam_dataloader')
}
