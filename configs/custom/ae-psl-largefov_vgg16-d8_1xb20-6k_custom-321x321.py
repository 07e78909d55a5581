# AE-PSL on your own tagged photos with the paper's networks: the VGG16 AE
# classifier and PSL on DeepLab-LargeFOV (GPU-sized; weights from
# weight vgg16_imagenet, or a local file: see README, "Weights").
#   python tools/train.py \
#       configs/custom/ae-psl-largefov_vgg16-d8_1xb20-6k_custom-321x321.py \
#       --work-dir W --cfg-options data_root=DATA
_base_ = ['ae-psl_mbv2-d32_1xb16-20e_custom-long320.py']
classifier = 'ae_vgg16-d8_1xb16-5-5-5e_custom-512x512.py'
segmentor = 'psl-largefov_vgg16-d8_1xb20-6k_custom-321x321.py'
