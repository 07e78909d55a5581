# HCP classifier of the paper setting on VOC 2012 train_aug (image labels):
# ImageNet VGG16 + RoIAlign over selective-search proposals (HCP, Wei et
# al., TPAMI 2016: fine-tuned at lr 1e-3, the new classifier at 10x), batch
# 16, 10 epochs, images at 0.75-1.25 x 500 with flips (no crops: the
# proposals follow resizes and flips only), 100 proposals per training
# image, all 500 at test.
_base_ = ['../_base_/models/hcp_vgg16.py',
          '../_base_/datasets/voc12_aug_cls.py',
          '../_base_/schedules/cls_sgd_poly.py']
model = dict(head=dict(num_classes=_base_.num_classes))
proposals = dict(max_count=500)  # selective search (mmwsss.proposals)
hcp_train_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='RandomResize', scale=(500, 500), ratio_range=(0.75, 1.25),
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='LoadProposals', max_count=100),
    dict(type='PackWSSSInputs'),
]
hcp_test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadProposals', max_count=500),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(
    dataset=dict(pipeline=hcp_train_pipeline, proposal_path='proposals'))
val_dataloader = dict(
    dataset=dict(pipeline=hcp_test_pipeline, proposal_path='proposals'))
test_dataloader = val_dataloader
cam_dataloader = dict(
    dataset=dict(pipeline=hcp_test_pipeline, proposal_path='proposals'))
max_epochs = 10
optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
