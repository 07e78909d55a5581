# AE-PSL on VOC 2012 with a modern segmentor: the same AE masks, PSL / PSL++
# on MMSeg's DeepLabV3+ (ResNet-101-D8).  PSLHead wraps any MMSeg decode
# head, so swapping the segmentor is one config line.
#   python tools/train.py configs/ae_psl_deeplabv3plus_r101_voc.py
_base_ = ['ae_psl_vgg16_voc.py']
segmentor = 'psl/psl_deeplabv3plus_r101-d8_20k_voc12aug.py'
