# UPPER BOUND, NOT WEAKLY SUPERVISED: the MSRC-17 segmentor of
# psl/psl_mbv2_20e_msrc17.py (same backbone, head, schedule, test-time
# settings) trained on the ground-truth train masks.  Benchmarks use it to
# show how far the weakly supervised pipeline is from full supervision.
#   python tools/train.py \
#       configs/fully_supervised/psl_mbv2_20e_msrc17_gt_masks.py
_base_ = ['../psl/psl_mbv2_20e_msrc17.py']
train_dataloader = dict(dataset=dict(pseudo_seg_map_path=None))
