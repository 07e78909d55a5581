# CPU-sized HCP classifier on MSRC-17 train (image labels only): ImageNet
# MobileNetV2 + RoIAlign over the selective-search proposals, the CAM
# classifier's recipe (cam/cam_mbv2-d16_1xb16-12e_msrc17-256x256.py: AdamW
# 1e-4, head at 50x, batch 16, 12 epochs), whole images at 0.7-1.3 x 320 (no
# crops: the proposals follow resizes and flips only), 100 proposals per
# training image, all 200 at test.  proposal_path: set by the pipeline
# (configs/hcp/hcp_mbv2-d32_1xb16-20e_msrc17-224x320.py); standalone,
# <data_root>/proposals (tools/make_proposals.py).
_base_ = ['../_base_/models/hcp_mbv2.py',
          '../_base_/datasets/msrc17_cls.py',
          '../_base_/schedules/cls_sgd_poly.py']
model = dict(head=dict(num_classes=_base_.num_classes))
proposals = dict(max_count=200)  # selective search (mmwsss.proposals)
hcp_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomResize', scale=(320, 320), ratio_range=(0.7, 1.3),
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='LoadProposals', max_count=100),
    dict(type='PackWSSSInputs'),
]
hcp_test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='Resize', scale=(320, 320), keep_ratio=True),
    dict(type='LoadProposals', max_count=200),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(
    dataset=dict(pipeline=hcp_train_pipeline, proposal_path='proposals'))
val_dataloader = dict(
    dataset=dict(pipeline=hcp_test_pipeline, proposal_path='proposals'))
test_dataloader = val_dataloader
cam_dataloader = dict(
    batch_size=8,
    dataset=dict(pipeline=hcp_test_pipeline, proposal_path='proposals'))
max_epochs = 12
optim_wrapper = _base_._cls_optim_wrapper  # the model file's
train_cfg = dict(max_epochs=max_epochs, val_interval=6)
default_hooks = dict(logger=dict(interval=5))
