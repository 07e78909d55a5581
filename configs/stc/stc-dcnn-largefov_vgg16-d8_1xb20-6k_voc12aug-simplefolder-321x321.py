# STC's P-DCNN in the paper setting:
# stc-dcnn-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py trained on VOC 2012
# train_aug (the complex images, masks predicted by E-DCNN) together with the
# simple-image folder
# (stc-dcnn-largefov_vgg16-d8_1xb20-6k_simplefolder-321x321.py: the chosen
# simple images, E-DCNN's masks of them).  The pipeline
# (stc-largefov_vgg16-d8_1xb20-3x6k_voc12aug-321x321.py) sets each part's
# pseudo_seg_map_path and the folder's ann_file (its simple images).
_base_ = ['./stc-dcnn-largefov_vgg16-d8_1xb20-6k_simplefolder-321x321.py']
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            _base_.complex_train_dataset,
            _base_.simple_train_dataset,
        ]))
