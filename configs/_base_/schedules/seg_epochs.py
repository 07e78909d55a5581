# Epoch-based loop of the CPU-sized segmentation configs (the optimizer and
# the learning-rate schedule are set by each config, whose epoch count they
# depend on).  Hooks (a checkpoint every epoch): loops_hooks.py.
_base_ = ['./loops_hooks.py']
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=10, val_interval=10)
