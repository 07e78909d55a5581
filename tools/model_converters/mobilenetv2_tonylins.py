"""Convert tonylins/pytorch-mobilenet-v2 ImageNet weights (``features.*``,
e.g. ../shared/weights/mobilenetv2_imagenet_tonylins.pt) into OpenMMLab's
MobileNetV2 keys, as a file.

Configs do not need this: ``init_cfg=dict(type='ConvertedPretrained',
checkpoint=..., converter='mobilenetv2_tonylins')`` converts at load time
(:mod:`mmwsss.models.weight_init`).  The file is for other tools.

    python tools/model_converters/mobilenetv2_tonylins.py \\
        ../shared/weights/mobilenetv2_imagenet_tonylins.pt \\
        pretrained/mobilenetv2_imagenet_mmpretrain.pth [--layout mmseg]

``--layout mmpretrain`` (default) keeps the final 1x1 conv to 1280 channels
(``conv2``); ``--layout mmseg`` drops it (MMSeg's MobileNetV2 ends at 320
channels).
"""
import argparse
import os.path as osp

import torch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='tonylins MobileNetV2 state dict')
    parser.add_argument('dst', help='output checkpoint')
    parser.add_argument('--layout', choices=['mmpretrain', 'mmseg'],
                        default='mmpretrain')
    args = parser.parse_args()
    if not osp.isfile(args.src):
        raise SystemExit(f'error: {args.src} does not exist')

    import mmwsss  # noqa: F401
    from mmwsss.models.weight_init import load_converted
    from mmwsss.utils.io import atomic_write
    converted = load_converted(args.src, 'mobilenetv2_tonylins')
    if args.layout == 'mmseg':
        from mmseg.models.backbones import MobileNetV2
        converted = {k: v for k, v in converted.items()
                     if not k.startswith('conv2.')}
        MobileNetV2(widen_factor=1.).load_state_dict(converted, strict=True)
    else:
        from mmpretrain.models.backbones import MobileNetV2
        MobileNetV2(out_indices=(7, )).load_state_dict(converted, strict=True)
    with atomic_write(args.dst) as handle:
        torch.save(dict(state_dict=converted), handle)
    print(f'{len(converted)} tensors written to {args.dst} (loads strictly '
          f'into {args.layout} MobileNetV2)')


if __name__ == '__main__':
    main()
