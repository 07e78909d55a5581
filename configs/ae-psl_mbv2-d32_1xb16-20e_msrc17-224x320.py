# AE-PSL on MSRC-17 (real photos; CPU-sized):
#   python tools/train.py configs/ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py
# Reads ../shared/data/msrc17 and the weights mobilenetv2_imagenet and
# u2netp (README "Weights"; here from ../shared/weights).  The stages:
# configs/_base_/pipelines/ae_psl.py; `python tools/stage_report.py
# work_dirs/ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320` prints every rung.
_base_ = ['_base_/pipelines/ae_psl.py']
classifier = 'ae/ae_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py'
segmentor = 'psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py'
# CAMs at 3 scales + flip: the 2x scale (4x the pixels, half the CAM time)
# added nothing to the pseudo masks here (docs/benchmarks.md)
stages = dict(cams=dict(scales=(1.0, 0.5, 1.5)))

# MSRC-17's horse has a single training image (the dataset's README says
# so): the benchmark keeps it, so the data check warns instead of stopping
dataset_check = dict(allow_rare=True)
