"""Benchmark: which choices of the old MSRC-17 segmentation recipe cost its
~28 val mIoU points at full supervision (issue 8, "a recipe that learns").

Every row trains the upper-bound config
(configs/fully_supervised/psl-gtmasks_mbv2-d32_1xb16-20e_msrc17-224x320.py:
ground-truth masks, NOT weakly supervised) for ``--epochs`` epochs with one
choice of the old recipe put back, then scores MSRC-17 val with tools/test.py:

* ``plain``: the recipe as shipped (mmpretrain MobileNetV2 1280-channel
  features, stride 32, 1x1 head, BN in train mode, whole 320x224 images +
  flip, AdamW 5e-4);
* ``frozen_bn``: batch norm statistics and affine frozen (norm_eval=True);
* ``aspp_head_10x``: a randomly initialised ASPP head (128 channels) at 10x
  the learning rate instead of the 1x1 conv;
* ``crop_aug``: random rescale 0.7-1.3 of 320 and 256x256 crops with photo
  distortion instead of whole images;
* ``dilated_320ch``: MMSeg's MobileNetV2 dilated to stride 16, its
  320-channel features (no final 1280 conv);
* ``old_optimizer``: AdamW lr 4e-4, weight decay 1e-4, head at 10x;
* ``old_recipe``: all of the above together (the recipe before issue 8).

    python benchmarks/msrc17_recipe_ablation.py [--epochs 10] \
        [--rows plain,frozen_bn]

Needs ../shared (MSRC-17, the MobileNetV2 weights).  Prints one Markdown
row per variant (val mIoU, training wall time); the last number of the
last line is the old recipe's loss against the plain one, in points.
"""
import argparse
import copy
import json
import os
import os.path as osp
import subprocess
import sys
import time

from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
BASE = osp.join(REPO, 'configs', 'fully_supervised',
                'psl-gtmasks_mbv2-d32_1xb16-20e_msrc17-224x320.py')
NORM = dict(type='BN', requires_grad=True)


def frozen_bn(cfg):
    cfg.model.backbone.norm_eval = True


def aspp_head_10x(cfg):
    cfg.model.decode_head.seg_head = dict(
        type='ASPPHead', in_channels=cfg.model.decode_head.cls_in_channels,
        in_index=0, channels=128, dilations=(1, 6, 12, 18),
        dropout_ratio=0.1, num_classes=17, norm_cfg=NORM,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         loss_weight=1.0, avg_non_ignore=True))
    cfg.optim_wrapper.paramwise_cfg = dict(
        custom_keys={'decode_head': dict(lr_mult=10.0)})


def crop_aug(cfg):
    cfg.model.data_preprocessor.size = (256, 256)
    cfg.train_dataloader.dataset.pipeline = [
        dict(type='LoadCheckedImageFromFile'),
        dict(type='LoadCheckedAnnotations'),
        dict(type='RandomResize', scale=(320, 320), ratio_range=(0.7, 1.3),
             keep_ratio=True),
        dict(type='RandomCrop', crop_size=(256, 256)),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PhotoMetricDistortion'),
        dict(type='PackWSSSInputs'),
    ]


def dilated_320ch(cfg):
    cfg.model.backbone = dict(
        type='MobileNetV2', widen_factor=1., strides=(1, 2, 2, 2, 1, 1, 1),
        dilations=(1, 1, 1, 1, 1, 2, 2), out_indices=(6, ), norm_cfg=NORM,
        norm_eval=cfg.model.backbone.norm_eval,
        init_cfg=cfg.model.backbone.init_cfg)
    head = cfg.model.decode_head
    head.cls_in_channels = 320
    head.seg_head.in_channels = 320
    if head.seg_head.type == 'FCNHead':
        head.seg_head.channels = 320


def old_optimizer(cfg):
    cfg.optim_wrapper.optimizer = dict(type='AdamW', lr=4e-4,
                                       weight_decay=1e-4)
    cfg.optim_wrapper.paramwise_cfg = dict(
        custom_keys={'decode_head': dict(lr_mult=10.0)})


def old_recipe(cfg):
    for change in (frozen_bn, aspp_head_10x, crop_aug, dilated_320ch,
                   old_optimizer):
        change(cfg)


VARIANTS = dict(plain=lambda cfg: None, frozen_bn=frozen_bn,
                aspp_head_10x=aspp_head_10x, crop_aug=crop_aug,
                dilated_320ch=dilated_320ch, old_optimizer=old_optimizer,
                old_recipe=old_recipe)


def run(name, epochs, work_root):
    cfg = Config.fromfile(BASE)
    VARIANTS[name](cfg)
    cfg.max_epochs = epochs
    cfg.train_cfg.max_epochs = cfg.train_cfg.val_interval = epochs
    scheduler = copy.deepcopy(cfg.param_scheduler[0])
    scheduler['end'] = epochs
    cfg.param_scheduler = [scheduler]
    work = osp.join(work_root, name)
    os.makedirs(work, exist_ok=True)
    config = osp.join(work, f'{name}.py')
    cfg.dump(config)
    start = time.time()
    subprocess.run([sys.executable, 'tools/train.py', config, '--work-dir',
                    work], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    seconds = time.time() - start
    out = subprocess.run(
        [sys.executable, 'tools/test.py', config,
         osp.join(work, f'epoch_{epochs}.pth'), '--work-dir',
         osp.join(work, 'test')], cwd=REPO, check=True, text=True,
        capture_output=True).stdout
    return json.loads(out.strip().splitlines()[-1])['mIoU'], seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--rows', default=','.join(VARIANTS))
    parser.add_argument('--work-dir',
                        default='work_dirs/msrc17_recipe_ablation')
    args = parser.parse_args()
    rows = args.rows.split(',')
    print(f'| variant ({args.epochs} epochs, ground-truth masks) | val mIoU '
          '| training wall time (s) |\n|---|---|---|', flush=True)
    results = {}
    for name in rows:
        results[name] = run(name, args.epochs, args.work_dir)
        print(f'| {name} | {results[name][0]:.2f} | {results[name][1]:.0f} '
              '|', flush=True)
    if 'plain' in results and 'old_recipe' in results:
        print(f'old recipe vs plain: '
              f'{results["plain"][0] - results["old_recipe"][0]:.2f}')


if __name__ == '__main__':
    main()
