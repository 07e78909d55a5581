# AE-PSL on MS-COCO 2014 (80 classes): VGG16 AE classifier, saliency,
# PSL / PSL++ on DeepLab-LargeFOV; the VOC setting on COCO's layout
# (configs/_base_/datasets/coco2014_cls.py).
#   python tools/train.py configs/ae_psl_vgg16_coco.py
_base_ = ['ae_psl_vgg16_voc.py']
classifier = 'ae/ae_vgg16_coco2014.py'
segmentor = 'psl/psl_largefov_vgg16_45k_coco2014.py'
