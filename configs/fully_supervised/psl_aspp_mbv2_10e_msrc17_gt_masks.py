# UPPER BOUND, NOT WEAKLY SUPERVISED: the MSRC-17 PSL segmentor of
# psl/psl_aspp_mbv2_10e_msrc17.py (same backbone, head, schedule) trained on
# the ground-truth train masks.  Only benchmarks use it, to show how far the
# weakly supervised pipeline is from full supervision.
_base_ = ['../psl/psl_aspp_mbv2_10e_msrc17.py']
train_dataloader = dict(dataset=dict(pseudo_seg_map_path=None))
