# AE-PSL on VOC 2012 with a modern segmentor: the same AE masks, PSL / PSL++
# on MMSeg's DeepLabV3+ (ResNet-101-D8).  PSLHead wraps any MMSeg decode
# head, so swapping the segmentor is one config line.
#   python tools/train.py \
#       configs/ae-psl-deeplabv3plus_r101-d8_1xb16-20k_voc12aug-512x512.py
_base_ = ['ae-psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py']
segmentor = 'psl/psl-deeplabv3plus_r101-d8_1xb16-20k_voc12aug-512x512.py'
