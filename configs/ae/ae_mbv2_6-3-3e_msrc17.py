# Adversarial erasing on MSRC-17 from ImageNet MobileNetV2 in one run (the
# classifier stage of configs/ae_psl_mbv2_msrc17.py): step 1 trains the
# CAM classifier for 6 epochs, then 2 erasing steps of 3 epochs (3 steps of
# regions, as the paper fuses).  ~13 min on 2 cores.  Same hook settings as
# ae_mbv2_msrc17.py, which instead continues a trained CAM classifier.
_base_ = ['./ae_mbv2_msrc17.py']
load_from = None
epochs_per_step = [6, 3, 3]
max_steps = 3
max_epochs = sum(epochs_per_step)
param_scheduler = [
    dict(
        type='CosineRestartLR',
        periods=epochs_per_step,
        restart_weights=[1.0] * max_steps,
        eta_min=0.0,
        by_epoch=True,
        convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
custom_hooks = [
    dict(
        type='AdversarialErasingHook',
        epochs_per_step=epochs_per_step,
        max_steps=max_steps,
        mining_threshold=0.6,
        stop_loss_ratio=0.9,
        grid=64,
        mining_batch_size=8)
]
