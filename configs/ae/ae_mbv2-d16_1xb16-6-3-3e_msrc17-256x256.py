# Adversarial erasing on MSRC-17 train (image labels only) from ImageNet
# MobileNetV2, CPU-sized: the classifier stage of
# configs/ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py.
# Step 1 trains the CAM classifier for 6 epochs, then 2 erasing steps of 3
# epochs (3 steps of regions, as the paper fuses).  ~13 min on 2 cores.
# mining_threshold 0.6 rather than the paper's ~0.8: the stride-16 CAMs of
# these 320x213 images are only ~20x14 cells, so a 0.8 region is often a
# single cell.
_base_ = ['../_base_/models/cam_mbv2.py',
          '../_base_/datasets/msrc17_cls.py',
          '../_base_/schedules/ae_steps.py']
model = dict(data_preprocessor=dict(size=(256, 256)),
             head=dict(num_classes=_base_.num_classes))
# AdamW: MobileNetV2's last features are small (std ~0.1) and SGD at usual
# rates barely moved the new classifier (docs/benchmarks.md)
optim_wrapper = _base_._cls_optim_wrapper  # the model file's
train_cfg = dict(epochs_per_step=[6, 3, 3], mining_threshold=0.6,
                 val_interval=12)
train_dataloader = dict(
    dataset=dict(pipeline=_base_.erasing_train_pipeline))
default_hooks = dict(logger=dict(interval=5))
# saliency for the saliency-guided masks (tools/make_saliency.py)
saliency = dict(type='U2NetpSaliency',
                model_path='mmwsss-weights://u2netp')
