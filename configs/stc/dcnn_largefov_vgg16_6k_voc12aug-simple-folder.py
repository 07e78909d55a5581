# STC's P-DCNN in the paper setting: dcnn_largefov_vgg16_6k_voc12aug.py
# trained on VOC 2012 train_aug (the complex images, masks predicted by
# E-DCNN) together with the simple-image folder
# (dcnn_largefov_vgg16_6k_voc-simple-folder.py: the chosen simple images,
# E-DCNN's masks of them).  The pipeline (stc_vgg16_voc.py) sets each
# part's pseudo_seg_map_path and the folder's ann_file (its simple images).
_base_ = ['./dcnn_largefov_vgg16_6k_voc-simple-folder.py']
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            {{_base_.complex_train_dataset}},
            {{_base_.simple_train_dataset}},
        ]))
