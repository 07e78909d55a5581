"""Checkpoint schemes of mmwsss: weights named by the weights table, and
pretrained weights in another repository's layout, loaded directly.

``mmwsss-weights://NAME`` loads a weight of
:data:`mmwsss.utils.weights.WEIGHTS` (found in the weights folders or
downloaded, checksum checked; see :mod:`mmwsss.utils.weights`), so configs
name a weight, not a machine's path.

ImageNet weights may come in whatever layout their source used (the
MobileNetV2 of the table is tonylins' ``features.N`` layout).  Rather than
asking every user to run a converter first, a checkpoint can name its
converter as a scheme, the way MMEngine's ``torchvision://`` names a
source, in front of a weight name or a path::

    init_cfg=dict(
        type='Pretrained',
        checkpoint='mobilenetv2_tonylins://'
        'mmwsss-weights://mobilenetv2_imagenet')

The file is read and its keys converted in memory; MMEngine's usual
``Pretrained`` init then loads them (after every sub-module's own init, as
for any checkpoint).  A file that is not in the converter's layout is an
error naming the file.  Every converter of :data:`CONVERTERS` is a scheme.
"""
import re
from collections import OrderedDict
from typing import Callable, Dict, Optional, Tuple

import torch
from mmengine.runner.checkpoint import (CheckpointLoader, _load_checkpoint,
                                        load_from_local)

from mmwsss.utils.weights import URI_PREFIX, resolve_weight

# blocks per MobileNetV2 stage (the n column of the paper's t, c, n, s table)
_MBV2_BLOCKS_PER_LAYER = (1, 2, 3, 4, 3, 3, 1)
# tonylins' flat Sequential (conv, bn, relu, ...) -> OpenMMLab ConvModule
_MBV2_CONV_INDEX = {'0': '0.conv', '1': '0.bn', '3': '1.conv', '4': '1.bn',
                    '6': '2.conv', '7': '2.bn'}


def mobilenetv2_tonylins(state: Dict[str, torch.Tensor]) -> OrderedDict:
    """tonylins/pytorch-mobilenet-v2 ``features.*`` keys -> OpenMMLab's
    MobileNetV2 keys (``conv1``, ``layer1..7`` as in MMSeg and mmpretrain,
    plus ``conv2``, the final 1x1 conv to 1280 channels, which only
    mmpretrain's backbone has)."""
    blocks, index = {}, 1
    for layer, count in enumerate(_MBV2_BLOCKS_PER_LAYER, 1):
        for block in range(count):
            blocks[index] = f'layer{layer}.{block}'
            index += 1
    last = len(blocks) + 1
    out = OrderedDict()
    for key, value in state.items():
        edge = re.fullmatch(r'features\.(\d+)\.([01])\.(.+)', key)
        block = re.fullmatch(r'features\.(\d+)\.conv\.(\d)\.(.+)', key)
        if edge and int(edge.group(1)) in (0, last):
            name = 'conv1' if edge.group(1) == '0' else 'conv2'
            part = 'conv' if edge.group(2) == '0' else 'bn'
            out[f'{name}.{part}.{edge.group(3)}'] = value
        elif block and int(block.group(1)) in blocks:
            out[f'{blocks[int(block.group(1))]}.conv.'
                f'{_MBV2_CONV_INDEX[block.group(2)]}.{block.group(3)}'] = value
        else:
            raise ValueError(f'unexpected key {key!r}: not a tonylins '
                             'MobileNetV2 state dict?')
    return out


CONVERTERS: Dict[str, Callable[[dict], dict]] = dict(
    mobilenetv2_tonylins=mobilenetv2_tonylins)


def load_converted(checkpoint: str, converter: str) -> OrderedDict:
    """Read ``checkpoint`` (a path or a weight name, see
    :func:`mmwsss.utils.weights.resolve_weight`) and convert its keys with
    ``converter``."""
    if converter not in CONVERTERS:
        raise KeyError(f'unknown weight converter {converter!r}; known: '
                       f'{sorted(CONVERTERS)}')
    try:
        checkpoint = resolve_weight(checkpoint)
    except FileNotFoundError as exc:
        raise FileNotFoundError(f'pretrained weights for converter '
                                f'{converter}: {exc}') from exc
    state = _load_checkpoint(checkpoint, map_location='cpu')
    state = state.get('state_dict', state)
    try:
        return CONVERTERS[converter](state)
    except ValueError as exc:
        raise ValueError(f'{checkpoint}: {exc}') from exc


def split_scheme(checkpoint: str) -> Tuple[Optional[str], str]:
    """``(converter, path)`` of a ``converter://path`` checkpoint, or
    ``(None, checkpoint)`` for anything else."""
    for name in CONVERTERS:
        prefix = f'{name}://'
        if checkpoint.startswith(prefix):
            return name, checkpoint[len(prefix):]
    return None, checkpoint


def load_named(filename: str, map_location=None):
    """The ``mmwsss-weights://NAME`` loader: the table's file, read as a
    local checkpoint."""
    return load_from_local(resolve_weight(filename), map_location)


def _register_schemes() -> None:
    CheckpointLoader.register_scheme(prefixes=URI_PREFIX, force=True)(
        load_named)
    for name in CONVERTERS:
        def load(filename, map_location=None, _name=name):
            _, path = split_scheme(filename)
            return load_converted(path, _name)
        CheckpointLoader.register_scheme(prefixes=f'{name}://',
                                         force=True)(load)


_register_schemes()
