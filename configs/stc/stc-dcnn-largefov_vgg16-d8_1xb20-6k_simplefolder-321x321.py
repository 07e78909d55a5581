# STC's network (stc-dcnn-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py) on a
# folder of simple images with one VOC tag each (the paper's Flickr-Clean: top
# results of a keyword search, one object on a clean background), in the layout
# of a user's own data (ImageLabelFolderDataset):
#   data/flickr_clean/images/<stem>.jpg
#   data/flickr_clean/labels.txt        <stem> <VOC class name>
# I- and E-DCNN train on it; validation stays on VOC 2012 val.  A tag that
# is not a VOC class is an error naming the line.
_base_ = ['./stc-dcnn-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py']
voc_classes = ('background', 'aeroplane', 'bicycle', 'bird', 'boat',
               'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'diningtable',
               'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep',
               'sofa', 'train', 'tvmonitor')
simple_folder = dict(
    type='ImageLabelFolderDataset',
    data_root='data/flickr_clean',
    labels_file='labels.txt',
    data_prefix=dict(img_path='images'),
    metainfo=dict(classes=voc_classes))
simple_train_dataset = dict(**simple_folder,
                            pipeline=_base_.stc_train_pipeline)
# VOC train_aug (the complex images), which P-DCNN adds
complex_train_dataset = _base_.train_dataloader.dataset
train_dataloader = dict(dataset=dict(_delete_=True, **simple_train_dataset))
cam_dataloader = dict(
    dataset=dict(_delete_=True, **simple_folder,
                 pipeline=_base_.test_pipeline))
