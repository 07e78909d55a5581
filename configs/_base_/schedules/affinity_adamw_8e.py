# AffinityNet's schedule: PSA's 8 epochs, with the CPU segmentation
# recipe's optimiser (AdamW lr 5e-4, weight decay 1e-2, poly decay stepped
# every iteration).  No validation: affinities have no ground truth here;
# they are judged by the masks they complete (score_affinity_labels); an
# AffinityNet config also sets its val/test loaders and metrics to None.
# The optimiser: seg_adamw_20e.py's; the schedule is set again for 8 epochs.
_base_ = ['./seg_adamw_20e.py']
max_epochs = 8
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=True, begin=0,
         end=max_epochs, convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs + 1)
val_cfg = None
test_cfg = None
