# The segmentor of
# configs/custom/ae-psl-largefov_vgg16-d8_1xb20-6k_custom-321x321.py: PSL on
# DeepLab-LargeFOV (VGG16) with DeepLab's schedule, as
# configs/psl/psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py, on a folder
# of tagged photos (321x321 crops of images resized to fit 500x500).
_base_ = ['../_base_/models/psl_largefov_vgg16.py',
          '../_base_/datasets/custom_seg.py',
          '../_base_/schedules/psl_sgd_step.py']
crop_size = (321, 321)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(seg_head=dict(num_classes=None)))  # from labels.txt
train_dataloader = dict(
    batch_size=20,
    dataset=dict(pipeline=[
        dict(type='LoadCheckedImageFromFile'),
        dict(type='LoadCheckedAnnotations'),
        dict(type='RandomResize', scale=(500, 500), ratio_range=(0.5, 1.5),
             keep_ratio=True),
        dict(type='RandomCrop', crop_size=crop_size),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackWSSSInputs'),
    ]))
seg_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(500, 500), keep_ratio=True),
    dict(type='PackWSSSInputs'),
]
test_pipeline = seg_test_pipeline
val_dataloader = dict(dataset=dict(pipeline=seg_test_pipeline))
test_dataloader = val_dataloader
cam_dataloader = dict(dataset=dict(pipeline=seg_test_pipeline))
val_evaluator = dict(type='ImageLabelMetric')
test_evaluator = val_evaluator
log_processor = dict(by_epoch=False)
default_hooks = dict(visualization=dict(type='WSSSVisualizationHook'))
# MMSeg's own tools/train.py builds this runner: it completes the config as
# mmwsss's tools do (data_root=DIR reaches the datasets, num_classes comes
# from labels.txt); the hook lets MMSeg's tools/test.py --show-dir draw
# without building the training set (mmwsss/apis/mmseg_tools.py)
runner_type = 'WSSSRunner'
