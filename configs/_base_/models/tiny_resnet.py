# The synthetic demo's backbone, shared by cam_tiny_resnet.py,
# hcp_tiny_resnet.py and psl_tiny_resnet.py (as `_base_.tiny_resnet`): a
# narrow ResNet-18 (16 base channels, 128 out), output stride 8, randomly
# initialised; small enough to train on the synthetic data on a CPU in
# about a minute.
tiny_resnet = dict(
    type='ResNetV1c',
    depth=18,
    stem_channels=16,
    base_channels=16,
    num_stages=4,
    out_indices=(3, ),
    strides=(1, 2, 1, 1),
    dilations=(1, 1, 2, 4),
    norm_cfg=dict(type='BN', requires_grad=True),
    contract_dilation=True)
