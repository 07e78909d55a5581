# What the PSL segmentors share: MMSeg's encoder-decoder (WSSSEncoderDecoder)
# whose decode head is PSLHead, which wraps any MMSeg decode head (seg_head)
# and adds PSL's classification branch; ImageNet normalisation
# (imagenet_preprocessor.py).  A model
# file (psl_mbv2.py, psl_largefov_vgg16.py, ...) inherits this one and sets
# the backbone, the branch's input and dropout, and the seg head; the dicts
# below are merged with its own.
_base_ = ['./imagenet_preprocessor.py']
model = dict(
    type='WSSSEncoderDecoder',
    data_preprocessor=_base_.data_preprocessor,
    decode_head=dict(
        type='PSLHead',
        online_loss_weight=1.0,
        # online masks from half-way through training (see PSLHead: used
        # from the first iteration they teach background everywhere)
        online_start=0.5,
        cls_threshold=0.5,
        seg_head=dict(
            align_corners=False,
            # mean over labelled pixels: saliency-guided masks leave many
            # pixels at 255, which must not dilute the loss
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                avg_non_ignore=True))),
    train_cfg=dict(),
    test_cfg=dict(mode='whole', cls_suppression=True,
                  cls_correction='reweight', crf=None))
