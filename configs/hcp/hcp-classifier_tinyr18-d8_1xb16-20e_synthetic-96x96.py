# The synthetic demo's HCP classifier: the narrow ResNet-18 (from scratch) +
# RoIAlign over selective-search proposals, the CAM classifier's schedule
# (cam/cam_tinyr18-d8_1xb16-20e_synthetic-96x96.py), 50 proposals per image.
_base_ = ['../_base_/models/hcp_tiny_resnet.py',
          '../_base_/datasets/synthetic_cls.py',
          '../_base_/schedules/cls_sgd_poly.py']
model = dict(head=dict(num_classes=_base_.num_classes))
proposals = dict(max_count=50, scales=(50, 150), min_size=0.01)
hcp_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='LoadProposals', max_count=50),
    dict(type='PackWSSSInputs'),
]
hcp_test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadProposals', max_count=50),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(
    dataset=dict(pipeline=hcp_train_pipeline, proposal_path='proposals'))
val_dataloader = dict(
    dataset=dict(pipeline=hcp_test_pipeline, proposal_path='proposals'))
test_dataloader = val_dataloader
cam_dataloader = dict(
    dataset=dict(pipeline=hcp_test_pipeline, proposal_path='proposals'))
max_epochs = 20
optim_wrapper = _base_._cls_optim_wrapper  # the model file's
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
default_hooks = dict(logger=dict(interval=5))
