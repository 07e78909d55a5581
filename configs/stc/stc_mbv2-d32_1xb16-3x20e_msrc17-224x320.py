# STC on MSRC-17 (CPU-sized), from image labels and saliency alone:
#   python tools/train.py \
#       configs/stc/stc_mbv2-d32_1xb16-3x20e_msrc17-224x320.py
# The simple images are chosen from MSRC-17 train by the rules of
# mmwsss/pseudo_labels/simple_images.py; the networks are the PSL segmentor's
# recipe with soft-target training
# (stc-dcnn_mbv2-d32_1xb16-20e_msrc17-224x320.py).  The stages:
# configs/_base_/pipelines/stc.py.
_base_ = ['../_base_/pipelines/stc.py']
dcnn = 'stc-dcnn_mbv2-d32_1xb16-20e_msrc17-224x320.py'

# MSRC-17's horse has a single training image (the dataset's README says
# so): the benchmark keeps it, so the data check warns instead of stopping
dataset_check = dict(allow_rare=True)
