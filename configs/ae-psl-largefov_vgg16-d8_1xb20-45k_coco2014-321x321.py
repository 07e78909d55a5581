# AE-PSL on MS-COCO 2014 (80 classes): VGG16 AE classifier, saliency,
# PSL / PSL++ on DeepLab-LargeFOV; the VOC setting on COCO's layout
# (configs/_base_/datasets/coco2014_cls.py).
#   python tools/train.py \
#       configs/ae-psl-largefov_vgg16-d8_1xb20-45k_coco2014-321x321.py
_base_ = ['ae-psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py']
classifier = 'ae/ae_vgg16-d8_1xb16-2-2-2-2e_coco2014-512x512.py'
segmentor = 'psl/psl-largefov_vgg16-d8_1xb20-45k_coco2014-321x321.py'
