# Alias: the short name the project started with (and its brief uses) for
# configs/ae-psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py, the AE-PSL
# paper pipeline on VOC 2012:
#   python tools/train.py configs/ae_psl_vgg16_voc.py
_base_ = ['ae-psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py']
