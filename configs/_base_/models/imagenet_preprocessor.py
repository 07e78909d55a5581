# The data preprocessor of the ImageNet-initialised models (psl_common.py,
# affinity_mbv2.py; cam_tiny_resnet.py with its own statistics): ImageNet
# normalisation, BGR -> RGB, masks padded with the ignore index.
data_preprocessor = dict(
    type='WSSSDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
