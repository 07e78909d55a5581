# The AE classifier of
# configs/custom/ae-psl_mbv2-d32_1xb16-20e_custom-long320.py: MSRC-17's
# (configs/ae/ae_mbv2-d16_1xb16-6-3-3e_msrc17-256x256.py) on a folder of tagged
# photos; the number of classes comes from labels.txt.
_base_ = ['../_base_/models/cam_mbv2.py',
          '../_base_/datasets/custom_cls.py',
          '../_base_/schedules/ae_steps.py']
model = dict(
    data_preprocessor=dict(size=(256, 256)),
    head=dict(num_classes=None))  # from the dataset's labels.txt
optim_wrapper = _base_._cls_optim_wrapper  # the model file's
train_cfg = dict(epochs_per_step=[6, 3, 3], mining_threshold=0.6,
                 val_interval=12)
train_dataloader = dict(
    dataset=dict(pipeline=_base_.erasing_train_pipeline))
default_hooks = dict(
    logger=dict(interval=5), visualization=dict(type='WSSSVisualizationHook'))
saliency = dict(type='U2NetpSaliency',
                model_path='mmwsss-weights://u2netp')
# MMSeg's own tools/train.py builds this runner: it completes the config as
# mmwsss's tools do (data_root=DIR reaches the datasets, num_classes comes
# from labels.txt); the hook lets MMSeg's tools/test.py --show-dir draw
# without building the training set (mmwsss/apis/mmseg_tools.py)
runner_type = 'WSSSRunner'
