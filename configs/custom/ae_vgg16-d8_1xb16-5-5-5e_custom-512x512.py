# The AE classifier of
# configs/custom/ae-psl-largefov_vgg16-d8_1xb20-6k_custom-321x321.py: the
# paper's VGG16 classifier and erasing schedule
# (configs/ae/ae_vgg16-d8_1xb16-5-5-5-5e_voc12aug-512x512.py) on a folder of
# tagged photos, at VOC's image scale.
_base_ = ['../_base_/models/cam_vgg16.py',
          '../_base_/datasets/custom_cls.py',
          '../_base_/schedules/ae_steps.py']
image_scale = (512, 512)
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    head=dict(num_classes=None))  # from the dataset's labels.txt
optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(epochs_per_step=[5, 5, 5], mining_threshold=0.8,
                 val_interval=5)
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadCheckedImageFromFile'),
    dict(type='EraseMinedRegions'),
    dict(type='RandomResize', scale=image_scale, ratio_range=(0.625, 1.25),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackWSSSInputs'),
]))
saliency = dict(type='U2NetpSaliency',
                model_path='mmwsss-weights://u2netp')
default_hooks = dict(visualization=dict(type='WSSSVisualizationHook'))
# MMSeg's own tools/train.py builds this runner: it completes the config as
# mmwsss's tools do (data_root=DIR reaches the datasets, num_classes comes
# from labels.txt); the hook lets MMSeg's tools/test.py --show-dir draw
# without building the training set (mmwsss/apis/mmseg_tools.py)
runner_type = 'WSSSRunner'
