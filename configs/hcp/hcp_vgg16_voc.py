# The proposal-based baseline, paper setting: VOC 2012 train_aug with image
# labels, HCP classifier on ImageNet VGG16 over selective-search proposals
# (the paper used other proposal methods; any cached proposals with the same
# file format work), re-ranked soft localization maps, DeepLab-LargeFOV
# trained on them with the soft-label loss (STC's network and schedule).
#   python tools/train.py configs/hcp/hcp_vgg16_voc.py
# Talk: about 43 mIoU on VOC.  The stages: configs/_base_/pipelines/hcp.py.
_base_ = ['../_base_/pipelines/hcp.py']
classifier = 'hcp-classifier_vgg16_10e_voc12aug.py'
segmentor = '../stc/dcnn_largefov_vgg16_6k_voc12aug.py'
# per-image proposal search on 4 processes (a GPU machine's CPUs)
stages = dict(proposals=dict(workers=4))
