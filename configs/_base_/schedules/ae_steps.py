# Adversarial-erasing schedule: the AdversarialErasingLoop owns it.  A config
# states its steps once (train_cfg.epochs_per_step); max_epochs is their sum
# and the learning rate restarts (cosine) at every step, since each step
# must learn new evidence from the erased images.  Mining, the stopping rule
# and the export live in the loop too (mmwsss/engine/loops).  Hooks:
# loops_hooks.py.
_base_ = ['./loops_hooks.py']
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10.0)}))
train_cfg = dict(
    type='AdversarialErasingLoop',
    epochs_per_step=[5, 5, 5, 5],
    mining_threshold=0.8,
    stop_loss_ratio=0.9,
    grid=64,
    mining_batch_size=8,
    val_interval=5)
