"""Helpers shared by test modules that run the tools as subprocesses."""
import numpy as np

from mmwsss.utils.paths import DATALOADERS


def tiny_synthetic_options(root):
    """``--cfg-options`` pointing every dataloader of a synthetic config at
    the small fixture dataset of conftest's ``synthetic_root``."""
    opts = []
    for key in DATALOADERS:
        opts += [f'{key}.dataset.data_root={root}',
                 f'{key}.dataset.num_train=24', f'{key}.dataset.num_val=8',
                 f'{key}.dataset.image_size=64']
    return opts


def tiny_psl_model_cfg(num_classes=4):
    """A small PSL segmentor (ResNet-18 at 8 base channels + FCN head)."""
    norm_cfg = dict(type='BN', requires_grad=True)
    return dict(
        type='WSSSEncoderDecoder',
        data_preprocessor=dict(type='WSSSDataPreProcessor',
                               mean=[127.5] * 3, std=[64.0] * 3,
                               bgr_to_rgb=True, seg_pad_val=255),
        backbone=dict(type='ResNetV1c', depth=18, stem_channels=8,
                      base_channels=8, out_indices=(3, ),
                      strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4),
                      norm_cfg=norm_cfg),
        decode_head=dict(
            type='PSLHead', cls_in_channels=64,
            seg_head=dict(type='FCNHead', in_channels=64, in_index=0,
                          channels=16, num_convs=1, concat_input=False,
                          num_classes=num_classes, norm_cfg=norm_cfg,
                          align_corners=False)),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


def masks_miou(pairs, num_classes, objects_erased=False):
    """The mIoU (percent, as ``score_label_folder`` reports it) of the
    predicted masks of ``pairs`` (prediction path, ground-truth path).
    With ``objects_erased`` every object pixel a prediction places is
    called background instead, its ignored pixels kept: the floor that
    masks must beat for the objects they place to be found ones."""
    from mmwsss.evaluation import ConfusionMatrix
    from mmwsss.utils.io import read_mask
    matrix = ConfusionMatrix(num_classes)
    for pred_path, gt_path in pairs:
        pred = read_mask(pred_path)
        if objects_erased:
            pred = np.where(pred == 255, pred, 0)
        matrix.update(pred, read_mask(gt_path), pred_path)
    return matrix.scores()['mIoU']
