# UPPER BOUND, NOT WEAKLY SUPERVISED: the MSRC-17 segmentor of
# psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py (same backbone, head, schedule,
# test-time settings) trained on the ground-truth train masks.  Benchmarks use
# it to show how far the weakly supervised pipeline is from full supervision.
#   python tools/train.py \
#   configs/fully_supervised/psl-gtmasks_mbv2-d32_1xb16-20e_msrc17-224x320.py
_base_ = ['../psl/psl_mbv2-d32_1xb16-20e_msrc17-224x320.py']
train_dataloader = dict(dataset=dict(pseudo_seg_map_path=None))
