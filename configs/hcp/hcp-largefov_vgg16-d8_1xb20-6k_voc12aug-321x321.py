# The proposal-based baseline, paper setting: VOC 2012 train_aug with image
# labels, HCP classifier on ImageNet VGG16 over selective-search proposals
# (the paper used other proposal methods; any cached proposals with the same
# file format work), re-ranked soft localization maps, DeepLab-LargeFOV
# trained on them with the soft-label loss (STC's network and schedule).
#   python tools/train.py \
#       configs/hcp/hcp-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py
# Talk: about 43 mIoU on VOC.  The stages: configs/_base_/pipelines/hcp.py.
_base_ = ['../_base_/pipelines/hcp.py']
classifier = 'hcp-classifier_vgg16-d16_1xb16-10e_voc12aug-long500.py'
segmentor = '../stc/stc-dcnn-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py'
# per-image proposal search uses every core of the machine ('auto')
