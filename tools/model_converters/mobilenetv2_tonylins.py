"""Convert tonylins/pytorch-mobilenet-v2 ImageNet weights (``features.*``,
e.g. ../shared/weights/mobilenetv2_imagenet_tonylins.pt) into MMSeg's
``MobileNetV2`` backbone keys (``conv1``, ``layer1..7``).

The final 1x1 conv to 1280 channels (``features.18``) has no counterpart in
MMSeg's backbone and is dropped.

    python tools/model_converters/mobilenetv2_tonylins.py \
        ../shared/weights/mobilenetv2_imagenet_tonylins.pt \
        pretrained/mobilenetv2_imagenet_mmseg.pth
"""
import argparse
import os.path as osp
import re
from collections import OrderedDict

import torch

# blocks per MMSeg layer (the t, c, n, s table of the paper: the n column)
BLOCKS_PER_LAYER = (1, 2, 3, 4, 3, 3, 1)
# tonylins' flat Sequential (conv, bn, relu, ...) -> MMSeg ConvModule index
CONV_INDEX = {'0': '0.conv', '1': '0.bn', '3': '1.conv', '4': '1.bn',
              '6': '2.conv', '7': '2.bn'}


def feature_to_block() -> dict:
    """tonylins ``features.i`` (i >= 1) -> MMSeg ``layerL.b``."""
    mapping, index = {}, 1
    for layer, blocks in enumerate(BLOCKS_PER_LAYER, 1):
        for block in range(blocks):
            mapping[index] = f'layer{layer}.{block}'
            index += 1
    return mapping


def convert(state: dict) -> OrderedDict:
    blocks = feature_to_block()
    out = OrderedDict()
    for key, value in state.items():
        stem = re.fullmatch(r'features\.0\.([01])\.(.+)', key)
        block = re.fullmatch(r'features\.(\d+)\.conv\.(\d)\.(.+)', key)
        if stem:
            part = 'conv' if stem.group(1) == '0' else 'bn'
            out[f'conv1.{part}.{stem.group(2)}'] = value
        elif block and int(block.group(1)) in blocks:
            name = blocks[int(block.group(1))]
            out[f'{name}.conv.{CONV_INDEX[block.group(2)]}.'
                f'{block.group(3)}'] = value
        elif key.startswith('features.18.'):
            continue  # final 1x1 conv: not part of MMSeg's MobileNetV2
        else:
            raise ValueError(f'unexpected key {key!r}: not a tonylins '
                             'MobileNetV2 state dict?')
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='tonylins MobileNetV2 state dict')
    parser.add_argument('dst', help='output checkpoint for MMSeg')
    args = parser.parse_args()
    if not osp.isfile(args.src):
        raise SystemExit(f'error: {args.src} does not exist')
    state = torch.load(args.src, map_location='cpu', weights_only=True)
    converted = convert(state.get('state_dict', state))

    import mmwsss  # noqa: F401
    from mmseg.models.backbones import MobileNetV2
    from mmwsss.utils.io import atomic_write
    MobileNetV2(widen_factor=1.).load_state_dict(converted, strict=True)
    with atomic_write(args.dst) as handle:
        torch.save(dict(state_dict=converted), handle)
    print(f'{len(converted)} tensors written to {args.dst} '
          '(loads strictly into mmseg MobileNetV2)')


if __name__ == '__main__':
    main()
