# STC, the paper's setting (Wei et al., TPAMI 2017): simple images from a
# folder with one VOC tag each (Flickr-Clean: 41k keyword-search results; any
# folder in the layout of
# stc-dcnn-largefov_vgg16-d8_1xb20-6k_simplefolder-321x321.py), complex images
# from VOC 2012 train_aug with their image labels; DeepLab-LargeFOV (VGG16)
# trained three times.
#   python tools/train.py \
#       configs/stc/stc-largefov_vgg16-d8_1xb20-3x6k_voc12aug-321x321.py
#   python tools/train.py \
#       configs/stc/stc-largefov_vgg16-d8_1xb20-3x6k_voc12aug-321x321.py \
#       --cfg-options simple_root=data/my_simple_images
# Paper, VOC val mIoU: I-DCNN 44.1, E-DCNN 46.8, P-DCNN 49.8 (test 51.2).
# Saliency: U^2-Net-p (weight u2netp, README "Weights").  The stages:
# configs/_base_/pipelines/stc.py; here saliency, split, I- and E-DCNN read
# the folder, whose images also pass the simple-image rules (a web image
# with a cluttered saliency map is left out), E-DCNN predicts both sets and
# P-DCNN trains on both.
_base_ = ['../_base_/pipelines/stc.py']
# VOC: E's masks, val
dcnn = 'stc-dcnn-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py'
simple_dcnn = 'stc-dcnn-largefov_vgg16-d8_1xb20-6k_simplefolder-321x321.py'
p_dcnn_config = ('stc-dcnn-largefov_vgg16-d8_1xb20-6k_voc12aug-simplefolder-'
                 '321x321.py')
simple_root = 'data/flickr_clean'
folder_cam = {'cam_dataloader.dataset.data_root': '{simple_root}'}
folder_train = {'train_dataloader.dataset.data_root': '{simple_root}'}
stages = dict(
    saliency=dict(config='{simple_dcnn}', other_dataset=True,
                  cfg_options=folder_cam),
    split=dict(config='{simple_dcnn}', other_dataset=True,
               cfg_options=folder_cam),
    i_dcnn=dict(config='{simple_dcnn}', cfg_options=folder_train),
    i_labels=dict(config='{simple_dcnn}', cfg_options=folder_cam),
    e_dcnn=dict(config='{simple_dcnn}', cfg_options=folder_train),
    # E-DCNN's masks of the simple images, for P-DCNN
    e_simple_labels=dict(
        type='PredictedLabelStage', config='{simple_dcnn}',
        other_dataset=True,
        inputs=dict(checkpoint='e_dcnn.checkpoint', simple='split.simple'),
        cfg_options={
            'cam_dataloader.dataset.ann_file': '{simple}',
            **folder_cam
        }),
    p_dcnn=dict(
        config='{p_dcnn_config}', other_dataset=True,
        inputs=dict(masks='e_labels.labels',
                    simple_masks='e_simple_labels.labels',
                    simple='split.simple', init='e_dcnn.checkpoint'),
        cfg_options={
            '_delete_': True,
            'train_dataloader.dataset.datasets.0.pseudo_seg_map_path':
            '{masks}',
            'train_dataloader.dataset.datasets.1.pseudo_seg_map_path':
            '{simple_masks}',
            'train_dataloader.dataset.datasets.1.ann_file': '{simple}',
            'train_dataloader.dataset.datasets.1.data_root': '{simple_root}',
            'load_from': '{init}'
        }),
    # the folder has no ground truth to score I-DCNN's masks against
    score_i_labels=None)
