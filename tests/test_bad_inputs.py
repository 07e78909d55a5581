"""Every bad input gives an error that names the file and the problem."""
import io
import os
import os.path as osp
import re

import numpy as np
import pytest
from PIL import Image

from mmwsss.datasets import voc_palette as _coco_palette

PALETTE = np.array(_coco_palette(256), np.uint8).reshape(-1).tolist()
REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SYNTHETIC_CFG = osp.join(REPO, 'configs', 'cam',
                         'cam_tinyr18-d8_1xb16-20e_synthetic-96x96.py')
MSRC17_CFG = osp.join(REPO, 'configs', 'cam',
                      'cam_mbv2-d16_1xb16-12e_msrc17-256x256.py')


# ------------------------------------------------------------------ helpers
def jpeg_bytes(size=(64, 64), seed=0):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format='JPEG', quality=95)
    return buf.getvalue()


def write_bytes(path, data):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as handle:
        handle.write(data)
    return path


def write_image(path, size=(32, 32), seed=0):
    return write_bytes(path, jpeg_bytes(size, seed))


def write_mask(path, arr):
    os.makedirs(osp.dirname(path), exist_ok=True)
    png = Image.fromarray(np.asarray(arr).astype(np.uint8), mode='P')
    png.putpalette(PALETTE)
    png.save(path, format='PNG')
    return path


def write_text(path, text):
    return write_bytes(path, text.encode())


def garbage(n=2048, seed=0):
    data = np.random.default_rng(seed).integers(
        0, 256, n, dtype=np.uint8).tobytes()
    assert data[:2] != b'\xff\xd8' and data[:4] != b'\x89PNG'
    return data


def problem(exc, *paths):
    """The message of ``exc`` without the file paths it names (tmp paths
    hold the test's name, which may contain the very words checked)."""
    message = str(exc)
    for path in paths:
        message = message.replace(str(path), '<path>')
    return message


def build(cfg):
    from mmseg.registry import DATASETS
    return DATASETS.build(cfg)


def folder_dataset(root, tmp_path, stems, pipeline, **kwargs):
    """ImageLabelFolderDataset over ``root/images`` (labels need no
    masks, so building never opens an image or a mask)."""
    write_text(osp.join(root, 'labels.txt'),
               ''.join(f'{stem} cat\n' for stem in stems))
    cfg = dict(
        type='ImageLabelFolderDataset',
        data_root=root,
        labels_file='labels.txt',
        data_prefix=dict(img_path='images'),
        metainfo=dict(classes=('background', 'cat')),
        label_cache_dir=str(tmp_path / 'cache'),
        test_mode=True,
        pipeline=pipeline)
    cfg.update(kwargs)
    return build(cfg)


def voc_layout(root, masks):
    """VOC-style folder: ``masks`` maps id -> (image size, mask array)."""
    for i, (stem, (size, mask)) in enumerate(masks.items()):
        write_image(osp.join(root, 'JPEGImages', stem + '.jpg'), size, i)
        write_mask(osp.join(root, 'SegmentationClass', stem + '.png'), mask)
    write_text(osp.join(root, 'ImageSets', 'Segmentation', 'train.txt'),
               ''.join(stem + '\n' for stem in masks))
    return root


def msrc_cfg(root, tmp_path, **kwargs):
    """MSRC17Dataset (17 classes, labels derived from the masks)."""
    cfg = dict(
        type='MSRC17Dataset',
        data_root=root,
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClass'),
        ann_file='ImageSets/Segmentation/train.txt',
        label_cache_dir=str(tmp_path / 'cache'),
        pipeline=[])
    cfg.update(kwargs)
    return cfg


# ------------------------------------------------------------------- images
def test_corrupt_image_load_image_checked(tmp_path):
    from mmwsss.utils.io import read_image as load_image_checked
    path = write_bytes(str(tmp_path / 'corrupt.jpg'), garbage())
    with pytest.raises(ValueError) as info:
        load_image_checked(path)
    assert path in str(info.value)


def test_truncated_jpeg_load_image_checked(tmp_path):
    from mmwsss.utils.io import read_image as load_image_checked
    data = jpeg_bytes()
    good = write_bytes(str(tmp_path / 'good.jpg'), data)
    assert load_image_checked(good).shape == (64, 64, 3)
    path = write_bytes(str(tmp_path / 'half.jpg'), data[:len(data) // 2])
    with pytest.raises(ValueError) as info:
        load_image_checked(path)
    assert path in str(info.value)
    assert 'truncated' in problem(info.value, path)


def test_truncated_png_load_image_checked(tmp_path):
    from mmwsss.utils.io import read_image as load_image_checked
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(
        0, 256, (32, 32, 3), dtype=np.uint8)).save(buf, format='PNG')
    data = buf.getvalue()
    path = write_bytes(str(tmp_path / 'half.png'), data[:len(data) // 2])
    with pytest.raises(ValueError) as info:
        load_image_checked(path)
    assert path in str(info.value)
    assert 'truncated' in problem(info.value, path)


def test_empty_and_missing_image_load_image_checked(tmp_path):
    from mmwsss.utils.io import read_image as load_image_checked
    empty = write_bytes(str(tmp_path / 'empty.jpg'), b'')
    with pytest.raises(ValueError) as info:
        load_image_checked(empty)
    assert empty in str(info.value)
    missing = str(tmp_path / 'missing.jpg')
    with pytest.raises(FileNotFoundError) as info:
        load_image_checked(missing)
    assert missing in str(info.value)


@pytest.mark.parametrize('kind', ['corrupt', 'truncated'])
def test_bad_image_through_pipeline(init_scope, tmp_path, kind):
    root = str(tmp_path / 'data')
    write_image(osp.join(root, 'images', 'good.jpg'))
    data = garbage() if kind == 'corrupt' else jpeg_bytes()[:1200]
    bad = write_bytes(osp.join(root, 'images', 'bad.jpg'), data)
    dataset = folder_dataset(
        root, tmp_path, ['good', 'bad'],
        pipeline=[
            dict(type='LoadCheckedImageFromFile'),
            dict(type='PackWSSSInputs')
        ])
    assert tuple(dataset[0]['inputs'].shape) == (3, 32, 32)
    with pytest.raises(ValueError) as info:
        dataset[1]
    assert bad in str(info.value)
    if kind == 'truncated':
        assert 'truncated' in problem(info.value, bad)


# -------------------------------------------------------------------- masks
def test_mask_size_differs_from_image(init_scope, tmp_path):
    root = voc_layout(
        str(tmp_path / 'data'), {
            'same': ((32, 32), np.zeros((32, 32))),
            'other': ((32, 32), np.zeros((16, 24))),
        })
    dataset = build(
        msrc_cfg(
            root, tmp_path,
            pipeline=[
                dict(type='LoadCheckedImageFromFile'),
                dict(type='LoadCheckedAnnotations')
            ]))
    results = dataset[0]
    assert results['gt_seg_map'].shape == (32, 32)
    mask_path = osp.join(root, 'SegmentationClass', 'other.png')
    with pytest.raises(ValueError) as info:
        dataset[1]
    assert mask_path in str(info.value)
    assert 'size' in problem(info.value, mask_path, root)


@pytest.mark.parametrize('bad_value', [17, 200])
def test_mask_value_out_of_range(init_scope, tmp_path, bad_value):
    ok = np.zeros((32, 32))
    ok[:8] = 3
    ok[-2:] = 255  # void is allowed
    bad = np.zeros((32, 32))
    bad[4:10, 4:10] = bad_value
    root = voc_layout(str(tmp_path / 'data'), {
        'ok': ((32, 32), ok),
        'bad': ((32, 32), bad),
    })
    mask_path = osp.join(root, 'SegmentationClass', 'bad.png')
    with pytest.raises(ValueError) as info:
        build(msrc_cfg(root, tmp_path))
    assert mask_path in str(info.value)
    assert str(bad_value) in problem(info.value, mask_path)
    # the same folder without the bad mask builds, 255 included
    write_text(osp.join(root, 'ImageSets', 'Segmentation', 'ok.txt'), 'ok\n')
    dataset = build(
        msrc_cfg(root, tmp_path, ann_file='ImageSets/Segmentation/ok.txt'))
    assert dataset.get_data_info(0)['img_labels'] == [3]


def test_rgb_and_corrupt_masks_name_the_file(init_scope, tmp_path):
    from mmwsss.utils.io import read_mask
    rgb = str(tmp_path / 'rgb.png')
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(rgb)
    with pytest.raises(ValueError) as info:
        read_mask(rgb)
    assert rgb in str(info.value)
    corrupt = write_bytes(str(tmp_path / 'corrupt.png'), garbage())
    with pytest.raises(ValueError) as info:
        read_mask(corrupt)
    assert corrupt in str(info.value)
    missing = str(tmp_path / 'missing.png')
    with pytest.raises(FileNotFoundError) as info:
        read_mask(missing)
    assert missing in str(info.value)


# ------------------------------------------------------------ labels files
def test_labels_file_unknown_class(init_scope, tmp_path):
    root = str(tmp_path / 'data')
    write_image(osp.join(root, 'images', 'a.jpg'))
    path = write_text(osp.join(root, 'labels.txt'), 'a cat\nb dgo\n')
    with pytest.raises(ValueError) as info:
        build(
            dict(
                type='ImageLabelFolderDataset',
                data_root=root,
                labels_file='labels.txt',
                data_prefix=dict(img_path='images'),
                metainfo=dict(classes=('background', 'cat', 'dog')),
                label_cache_dir=str(tmp_path / 'cache'),
                pipeline=[]))
    assert path in str(info.value)
    assert "'dgo'" in problem(info.value, path)


@pytest.mark.parametrize('text', [None, '', '# only a comment\n\n'])
def test_labels_file_missing_or_empty(init_scope, tmp_path, text):
    root = str(tmp_path / 'data')
    write_image(osp.join(root, 'images', 'a.jpg'))
    path = osp.join(root, 'labels.txt')
    if text is not None:
        write_text(path, text)
    expected = FileNotFoundError if text is None else ValueError
    with pytest.raises(expected) as info:
        build(
            dict(
                type='ImageLabelFolderDataset',
                data_root=root,
                labels_file='labels.txt',
                data_prefix=dict(img_path='images'),
                metainfo=dict(classes=('background', 'cat')),
                label_cache_dir=str(tmp_path / 'cache'),
                pipeline=[]))
    assert path in str(info.value)


# ------------------------------------------------------------- split files
def synthetic_split_cfg(synthetic_root, tmp_path, ann_file):
    return dict(
        type='SyntheticWSSSDataset',
        data_root=synthetic_root,
        generate=False,
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClass'),
        ann_file=ann_file,
        label_cache_dir=str(tmp_path / 'cache'),
        pipeline=[])


@pytest.mark.parametrize('text', ['', '\n\n  \n'])
def test_empty_split_file(init_scope, synthetic_root, tmp_path, text):
    split = write_text(str(tmp_path / 'empty.txt'), text)
    with pytest.raises(ValueError) as info:
        build(synthetic_split_cfg(synthetic_root, tmp_path, split))
    assert split in str(info.value)
    assert 'empty' in problem(info.value, split)


def test_missing_split_file(init_scope, synthetic_root, tmp_path):
    split = str(tmp_path / 'nope.txt')
    with pytest.raises(FileNotFoundError) as info:
        build(synthetic_split_cfg(synthetic_root, tmp_path, split))
    assert split in str(info.value)


def test_relative_split_file_named_in_full(init_scope, synthetic_root,
                                           tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        build(
            synthetic_split_cfg(synthetic_root, tmp_path,
                                'ImageSets/Segmentation/nope.txt'))
    assert osp.join(synthetic_root, 'ImageSets', 'Segmentation',
                    'nope.txt') in str(info.value)


def test_blank_line_in_split_file_is_ignored(init_scope, synthetic_root,
                                             tmp_path):
    split = write_text(str(tmp_path / 'gappy.txt'),
                       'train_00000\n\ntrain_00001\n\n')
    dataset = build(synthetic_split_cfg(synthetic_root, tmp_path, split))
    assert [osp.basename(dataset.get_data_info(i)['img_path'])
            for i in range(len(dataset))] == [
                'train_00000.jpg', 'train_00001.jpg']


# ------------------------------------------------------------------ configs
def test_config_num_classes_mismatch(init_scope):
    from mmengine import Config

    from mmwsss.apis import check_config
    cfg = Config.fromfile(SYNTHETIC_CFG)
    check_config(cfg, 'some/path.py')  # the shipped config is consistent
    cfg.model.head.num_classes = 7
    with pytest.raises(ValueError) as info:
        check_config(cfg, 'some/path.py')
    message = str(info.value)
    assert 'some/path.py' in message
    assert 'num_classes' in message
    assert '7' in message and '5' in message


def test_config_missing_pretrained_weights(init_scope):
    from mmengine import Config

    from mmwsss.apis import check_config
    cfg = Config.fromfile(MSRC17_CFG)
    cfg.model.backbone.init_cfg.checkpoint = '/nonexistent/w.pth'
    with pytest.raises(FileNotFoundError) as info:
        check_config(cfg, 'some/path.py')
    assert '/nonexistent/w.pth' in str(info.value)
    assert 'some/path.py' in str(info.value)


def test_torchvision_backbone_missing_checkpoint(init_scope):
    from mmwsss.models import TorchvisionBackbone
    with pytest.raises(FileNotFoundError) as info:
        TorchvisionBackbone(name='resnet18', checkpoint='/nonexistent/x.pth')
    assert '/nonexistent/x.pth' in str(info.value)


# --------------------------------------------------------------- CAM files
def test_cam_file_round_trip(tmp_path):
    from mmwsss.utils.io import load_cam_file, save_cam_file
    path = str(tmp_path / 'a.npz')
    cams = np.random.default_rng(0).random((2, 8, 8))
    save_cam_file(path, cams, [3, 7])
    result = load_cam_file(path)
    assert result['labels'].tolist() == [3, 7]
    assert result['cams'].dtype == np.float32
    np.testing.assert_allclose(result['cams'], cams, atol=1e-3)


def test_cam_file_garbage_truncated_missing(tmp_path):
    from mmwsss.utils.io import load_cam_file, save_cam_file
    good = str(tmp_path / 'good.npz')
    save_cam_file(good, np.random.default_rng(0).random((2, 16, 16)), [1, 2])
    with open(good, 'rb') as handle:
        data = handle.read()
    truncated = write_bytes(str(tmp_path / 'truncated.npz'),
                            data[:len(data) // 2])
    junk = write_bytes(str(tmp_path / 'junk.npz'), garbage())
    empty = write_bytes(str(tmp_path / 'empty.npz'), b'')
    for path in (truncated, junk, empty):
        with pytest.raises(ValueError) as info:
            load_cam_file(path)
        assert path in str(info.value)
    missing = str(tmp_path / 'missing.npz')
    with pytest.raises(FileNotFoundError) as info:
        load_cam_file(missing)
    assert missing in str(info.value)


def test_cam_file_without_cams(tmp_path):
    from mmwsss.utils.io import load_cam_file
    path = str(tmp_path / 'other.npz')
    np.savez(path, something=np.zeros(3))
    with pytest.raises(ValueError) as info:
        load_cam_file(path)
    assert path in str(info.value)


# ------------------------------------------------- PSL training inputs
def _pseudo_dataset(root, masks_dir, init_scope):
    from mmseg.registry import DATASETS
    return DATASETS.build(dict(
        type='SyntheticWSSSDataset', data_root=root, num_train=24,
        num_val=8, image_size=64,
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClass'),
        ann_file='ImageSets/Segmentation/train.txt',
        pseudo_seg_map_path=str(masks_dir),
        pipeline=[dict(type='LoadCheckedImageFromFile'),
                  dict(type='LoadCheckedAnnotations'),
                  dict(type='PackWSSSInputs')]))


def _copy_gt_masks(root, out):
    import shutil
    out.mkdir()
    for name in os.listdir(os.path.join(root, 'SegmentationClass')):
        shutil.copy(os.path.join(root, 'SegmentationClass', name), out)


def test_pseudo_mask_values_out_of_range_name_the_file(
        init_scope, synthetic_root, tmp_path):
    masks = tmp_path / 'masks'
    _copy_gt_masks(synthetic_root, masks)
    dataset = _pseudo_dataset(synthetic_root, masks, init_scope)
    bad = dataset.get_data_info(3)['seg_map_path']
    Image.fromarray(np.full((64, 64), 9, np.uint8), mode='L').save(bad)
    dataset[2]  # a good one loads
    with pytest.raises(ValueError, match=re.escape(bad) +
                       r'.*values \[9\] are outside \[0, 5\) and not 255'):
        dataset[3]


def test_incomplete_pseudo_mask_folder_is_refused(
        init_scope, synthetic_root, tmp_path):
    masks = tmp_path / 'masks'
    _copy_gt_masks(synthetic_root, masks)
    first = sorted(os.listdir(masks))[0]
    os.remove(masks / first)
    with pytest.raises(FileNotFoundError,
                       match=r'1 of 24 pseudo masks are missing in'):
        _pseudo_dataset(synthetic_root, masks, init_scope)
    with pytest.raises(FileNotFoundError, match='does not exist'):
        _pseudo_dataset(synthetic_root, tmp_path / 'none', init_scope)


def test_checkpoint_of_other_num_classes_is_refused(init_scope, tmp_path):
    import torch
    from mmengine.config import Config
    from mmseg.registry import MODELS

    from mmwsss.apis import check_checkpoint
    from helpers import tiny_psl_model_cfg
    path = str(tmp_path / 'five.pth')
    torch.save(dict(state_dict=MODELS.build(
        tiny_psl_model_cfg(num_classes=5)).state_dict()), path)
    check_checkpoint(Config(dict(model=tiny_psl_model_cfg(5))), path)
    with pytest.raises(ValueError, match=re.escape(path) +
                       r'.*another num_classes.*conv_seg'):
        check_checkpoint(Config(dict(model=tiny_psl_model_cfg(21))), path)
