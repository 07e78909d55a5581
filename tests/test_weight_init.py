"""Pretrained weights in their source layout, converted at load time
(``converter://path`` checkpoints)."""
import re

import pytest
import torch
from mmengine.runner.checkpoint import load_checkpoint

import mmwsss  # noqa: F401


def tonylins_state(module) -> dict:
    """A tonylins-layout state dict holding ``module``'s weights (mmpretrain
    MobileNetV2 keys mapped back to ``features.N``)."""
    blocks, index = {}, 1
    for layer, count in enumerate((1, 2, 3, 4, 3, 3, 1), 1):
        for block in range(count):
            blocks[f'layer{layer}.{block}'] = index
            index += 1
    inner = {'0.conv': '0', '0.bn': '1', '1.conv': '3', '1.bn': '4',
             '2.conv': '6', '2.bn': '7'}
    out = {}
    for key, value in module.state_dict().items():
        edge = re.fullmatch(r'(conv1|conv2)\.(conv|bn)\.(.+)', key)
        block = re.fullmatch(r'(layer\d\.\d)\.conv\.(\d\.(?:conv|bn))\.(.+)',
                             key)
        if edge:
            feature = 0 if edge.group(1) == 'conv1' else 18
            part = 0 if edge.group(2) == 'conv' else 1
            out[f'features.{feature}.{part}.{edge.group(3)}'] = value
        else:
            out[f'features.{blocks[block.group(1)]}.conv.'
                f'{inner[block.group(2)]}.{block.group(3)}'] = value
    assert len(out) == len(module.state_dict())
    return out


@pytest.fixture
def source(tmp_path):
    from mmpretrain.models.backbones import MobileNetV2
    torch.manual_seed(0)
    net = MobileNetV2(out_indices=(7, ))
    for param in net.parameters():
        param.data.normal_()
    path = tmp_path / 'tonylins.pt'
    torch.save(tonylins_state(net), path)
    return net, str(path)


def test_loads_into_mmpretrain_and_mmseg_mobilenetv2(source):
    net, path = source
    from mmpretrain.models.backbones import MobileNetV2 as PretrainMBV2
    from mmseg.models.backbones import MobileNetV2 as SegMBV2
    full = PretrainMBV2(out_indices=(7, ))
    load_checkpoint(full, f'mobilenetv2_tonylins://{path}', strict=True)
    for key, value in net.state_dict().items():
        assert torch.equal(full.state_dict()[key], value), key
    # MMSeg's MobileNetV2 has no 1280-channel conv: it is dropped
    seg = SegMBV2()
    load_checkpoint(seg, f'mobilenetv2_tonylins://{path}')
    assert torch.equal(seg.state_dict()['layer7.0.conv.2.conv.weight'],
                       net.state_dict()['layer7.0.conv.2.conv.weight'])


def test_missing_weights_and_foreign_files_name_the_file(source, tmp_path):
    net, path = source
    state = torch.load(path)
    del state['features.5.conv.0.weight']
    partial = tmp_path / 'partial.pt'
    torch.save(state, partial)
    from mmpretrain.models.backbones import MobileNetV2
    with pytest.raises(RuntimeError, match='missing keys'):
        load_checkpoint(MobileNetV2(out_indices=(7, )),
                        f'mobilenetv2_tonylins://{partial}', strict=True)
    foreign = tmp_path / 'foreign.pt'
    torch.save({'backbone.conv.weight': torch.zeros(1)}, foreign)
    with pytest.raises(ValueError, match='foreign.pt.*not a tonylins'):
        load_checkpoint(MobileNetV2(out_indices=(7, )),
                        f'mobilenetv2_tonylins://{foreign}')
    with pytest.raises(FileNotFoundError, match='nowhere.pt'):
        load_checkpoint(MobileNetV2(out_indices=(7, )),
                        'mobilenetv2_tonylins://nowhere.pt')


def test_init_cfg_in_a_config_and_the_shared_weights(shared_dir):
    """The real shared ImageNet file loads through a backbone's init_cfg."""
    path = shared_dir / 'weights' / 'mobilenetv2_imagenet_tonylins.pt'
    if not path.is_file():
        pytest.skip('../shared not found: real-data test skipped')
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    backbone = MODELS.build(dict(
        type='mmpretrain.MobileNetV2', out_indices=(7, ),
        init_cfg=dict(type='Pretrained',
                      checkpoint=f'mobilenetv2_tonylins://{path}')))
    backbone.init_weights()
    raw = torch.load(path, map_location='cpu')
    assert torch.equal(backbone.state_dict()['conv2.conv.weight'],
                       raw['features.18.0.weight'])


def test_check_config_names_a_missing_converted_file():
    from mmengine.config import Config

    from mmwsss.apis import check_config
    cfg = Config(dict(model=dict(backbone=dict(init_cfg=dict(
        type='Pretrained',
        checkpoint='mobilenetv2_tonylins://nowhere/mbv2.pt')))))
    with pytest.raises(FileNotFoundError, match='my.py.*nowhere/mbv2.pt'):
        check_config(cfg, 'my.py')
