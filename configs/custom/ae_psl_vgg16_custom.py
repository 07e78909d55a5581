# AE-PSL on your own tagged photos with the paper's networks: the VGG16 AE
# classifier and PSL on DeepLab-LargeFOV (GPU-sized; weights from
# weight vgg16_imagenet, or a local file: see README, "Weights").
#   python tools/train.py configs/custom/ae_psl_vgg16_custom.py \
#       --work-dir W --cfg-options data_root=DATA
_base_ = ['ae_psl_mbv2_custom.py']
classifier = 'ae_vgg16_custom.py'
segmentor = 'psl_largefov_vgg16_custom.py'
