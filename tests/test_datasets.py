"""Behaviour of the mmwsss datasets (image-level labels and their sources)."""
import glob
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from PIL import Image

from mmwsss.datasets import (COCO_CLASSES, MSRC17_CLASSES, SYNTHETIC_CLASSES,
                             VOC_CLASSES, generate_synthetic_dataset)
from mmwsss.datasets import voc_palette as _coco_palette

PALETTE = np.array(_coco_palette(256), np.uint8).reshape(-1).tolist()


# ------------------------------------------------------------------ helpers
def write_image(path, size=(32, 32), seed=0):
    os.makedirs(osp.dirname(path), exist_ok=True)
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(img).save(path, format='JPEG')


def write_mask(path, arr):
    os.makedirs(osp.dirname(path), exist_ok=True)
    png = Image.fromarray(np.asarray(arr).astype(np.uint8), mode='P')
    png.putpalette(PALETTE)
    png.save(path, format='PNG')


def write_text(path, text):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text)


def mask_with(values, size=32):
    """A ``size x size`` mask holding each of ``values`` in a stripe."""
    mask = np.zeros((size, size), np.uint8)
    for i, value in enumerate(values):
        mask[i * 4:(i + 1) * 4, :] = value
    return mask


def raw_mask(path):
    with Image.open(path) as img:
        assert img.mode == 'P'
        return np.asarray(img)


def fg_classes(mask, num_classes):
    return [int(v) for v in np.unique(mask) if 0 < v < num_classes]


def build(cfg):
    from mmseg.registry import DATASETS
    return DATASETS.build(cfg)


def all_labels(dataset):
    return [dataset.get_data_info(i)['img_labels']
            for i in range(len(dataset))]


def synthetic_cfg(root, cache_dir, split='train', **kwargs):
    cfg = dict(
        type='SyntheticWSSSDataset',
        data_root=root,
        generate=False,
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClass'),
        ann_file=f'ImageSets/Segmentation/{split}.txt',
        label_cache_dir=str(cache_dir),
        pipeline=[])
    cfg.update(kwargs)
    return cfg


def tree_bytes(root):
    files = {}
    for path in sorted(glob.glob(osp.join(root, '**', '*'), recursive=True)
                       + glob.glob(osp.join(root, '.complete'))):
        if osp.isfile(path):
            with open(path, 'rb') as handle:
                files[osp.relpath(path, root)] = handle.read()
    return files


# ---------------------------------------------------------------- synthetic
def test_synthetic_layout(synthetic_root):
    for split, count in (('train', 24), ('val', 8)):
        with open(osp.join(synthetic_root, 'ImageSets', 'Segmentation',
                           split + '.txt')) as handle:
            ids = handle.read().split()
        assert len(ids) == count
        for name in ids:
            assert osp.isfile(osp.join(synthetic_root, 'JPEGImages',
                                       name + '.jpg'))
            assert osp.isfile(osp.join(synthetic_root, 'SegmentationClass',
                                       name + '.png'))
    with open(osp.join(synthetic_root, 'classes.json')) as handle:
        assert json.load(handle) == list(SYNTHETIC_CLASSES)
    assert osp.isfile(osp.join(synthetic_root, 'ImageSets', 'Segmentation',
                               'simple.txt'))


def test_synthetic_labels_match_masks(init_scope, synthetic_root, tmp_path):
    for split, count in (('train', 24), ('val', 8)):
        dataset = build(synthetic_cfg(synthetic_root, tmp_path, split))
        assert len(dataset) == count
        assert dataset.metainfo['classes'] == SYNTHETIC_CLASSES
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            mask = raw_mask(info['seg_map_path'])
            expected = [int(v) for v in np.unique(mask)
                        if v not in (0, 255)]
            assert info['img_labels'] == expected
    # labels really vary (not all empty / all identical)
    labels = all_labels(build(synthetic_cfg(synthetic_root, tmp_path)))
    assert len({tuple(x) for x in labels}) > 3
    assert any(len(x) >= 2 for x in labels)


def test_synthetic_simple_images_hold_one_class(init_scope, synthetic_root,
                                                tmp_path):
    dataset = build(synthetic_cfg(synthetic_root, tmp_path, 'simple'))
    train = build(synthetic_cfg(synthetic_root, tmp_path))
    # every other training image is a simple one (the generator alternates
    # simple and complex kinds, starting with simple)
    assert [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))
            ] == [train.get_data_info(i)['img_path']
                  for i in range(0, len(train), 2)]
    assert all(len(labels) == 1 for labels in all_labels(dataset))


def test_synthetic_has_background_only_image(init_scope, synthetic_root,
                                             tmp_path):
    dataset = build(synthetic_cfg(synthetic_root, tmp_path))
    empty = [i for i in range(len(dataset))
             if dataset.get_data_info(i)['img_labels'] == []]
    assert empty, 'no background-only image in the synthetic train split'
    for i in empty:
        mask = raw_mask(dataset.get_data_info(i)['seg_map_path'])
        assert set(np.unique(mask).tolist()) <= {0, 255}


def test_synthetic_generation_is_deterministic(tmp_path):
    kwargs = dict(num_train=4, num_val=2, image_size=48)
    a = generate_synthetic_dataset(str(tmp_path / 'a'), seed=3, **kwargs)
    b = generate_synthetic_dataset(str(tmp_path / 'b'), seed=3, **kwargs)
    c = generate_synthetic_dataset(str(tmp_path / 'c'), seed=4, **kwargs)
    files_a, files_b, files_c = tree_bytes(a), tree_bytes(b), tree_bytes(c)
    assert len([f for f in files_a if f.endswith('.jpg')]) == 6
    assert len([f for f in files_a if f.endswith('.png')]) == 6
    assert files_a == files_b
    assert set(files_a) == set(files_c)
    images = [f for f in files_a if f.endswith(('.jpg', '.png'))]
    assert any(files_a[f] != files_c[f] for f in images)


def test_synthetic_small_image_size_is_handled(tmp_path):
    for seed in range(6):
        try:
            generate_synthetic_dataset(
                str(tmp_path / str(seed)), num_train=4, num_val=2,
                image_size=32, seed=seed)
        except ValueError as exc:
            # a clear refusal is fine; an obscure numpy error is not
            assert 'image_size' in str(exc), str(exc)


def test_synthetic_generation_is_not_redone(tmp_path):
    root = str(tmp_path / 'syn')
    kwargs = dict(num_train=2, num_val=1, image_size=48, seed=0)
    generate_synthetic_dataset(root, **kwargs)
    probe = osp.join(root, 'JPEGImages', 'train_00000.jpg')
    stamp = os.stat(probe).st_mtime_ns
    generate_synthetic_dataset(root, **kwargs)
    assert os.stat(probe).st_mtime_ns == stamp


def test_synthetic_pipeline_packs_image_labels(init_scope, synthetic_root,
                                               tmp_path):
    dataset = build(
        synthetic_cfg(
            synthetic_root, tmp_path,
            pipeline=[
                dict(type='LoadCheckedImageFromFile'),
                dict(type='PackWSSSInputs')
            ]))
    for index in range(3):
        sample = dataset[index]
        inputs = sample['inputs']
        assert isinstance(inputs, torch.Tensor)
        assert tuple(inputs.shape) == (3, 64, 64)
        meta = sample['data_samples'].metainfo
        assert 'img_labels' in meta
        assert meta['img_labels'] == \
            dataset.get_data_info(index)['img_labels']
        assert meta['sample_idx'] == index
        # training pipelines do not load masks
        assert 'gt_sem_seg' not in sample['data_samples']


def test_synthetic_eval_pipeline_loads_masks(init_scope, synthetic_root,
                                             tmp_path):
    dataset = build(
        synthetic_cfg(
            synthetic_root, tmp_path, split='val',
            pipeline=[
                dict(type='LoadCheckedImageFromFile'),
                dict(type='LoadCheckedAnnotations'),
                dict(type='PackWSSSInputs')
            ]))
    sample = dataset[0]
    gt = sample['data_samples'].gt_sem_seg.data
    assert tuple(gt.shape) == (1, 64, 64)
    expected = raw_mask(dataset.get_data_info(0)['seg_map_path'])
    np.testing.assert_array_equal(gt[0].numpy(), expected)


def test_label_cache_written_and_reused(init_scope, synthetic_root, tmp_path,
                                        monkeypatch):
    import mmwsss.datasets.image_label_dataset as ild
    cache_dir = tmp_path / 'cache'
    first = build(synthetic_cfg(synthetic_root, cache_dir))
    cache_files = glob.glob(str(cache_dir / 'labels-*.json'))
    assert len(cache_files) == 1
    with open(cache_files[0]) as handle:
        assert json.load(handle) == all_labels(first)

    def no_mask_reading(path):
        raise AssertionError(f'mask {path} read despite the label cache')

    monkeypatch.setattr(ild, 'read_mask', no_mask_reading)
    # the patch is effective: without a cache, the build reads masks
    with pytest.raises(AssertionError, match='despite the label cache'):
        build(synthetic_cfg(synthetic_root, cache_dir, label_cache_dir=None))
    second = build(synthetic_cfg(synthetic_root, cache_dir))
    assert all_labels(second) == all_labels(first)
    # a different file list is a different cache entry
    with pytest.raises(AssertionError, match='despite the label cache'):
        build(synthetic_cfg(synthetic_root, cache_dir, split='val'))


def test_label_cache_invalidated_when_mask_changes(init_scope, tmp_path):
    root = tmp_path / 'data'
    write_image(str(root / 'JPEGImages' / 'a.jpg'))
    mask_path = str(root / 'SegmentationClass' / 'a.png')
    write_mask(mask_path, mask_with([0, 2]))
    write_text(str(root / 'ImageSets' / 'Segmentation' / 'train.txt'), 'a\n')
    cfg = synthetic_cfg(str(root), tmp_path / 'cache')
    assert all_labels(build(cfg)) == [[2]]
    write_mask(mask_path, mask_with([0, 1, 3, 4, 0]))
    stat = os.stat(mask_path)
    os.utime(mask_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert all_labels(build(cfg)) == [[1, 3, 4]]


# ---------------------------------------------------------------------- VOC
VOC_ITEMS = {
    # id: (mask values, XML object names, expected labels)
    '2007_000001': ([0, 12, 15, 255], ['dog', 'person', 'dog'], [12, 15]),
    '2007_000002': ([0, 255], [], []),
    '2007_000003': ([1, 0], ['aeroplane'], [1]),
    '2007_000004': ([20, 15], ['tvmonitor', 'person'], [15, 20]),
}


def write_voc_xml(path, names):
    objects = ''.join(
        f'<object><name>{name}</name><pose>Unspecified</pose>'
        '<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax>'
        '</bndbox></object>' for name in names)
    write_text(path, f'<annotation><filename>{osp.basename(path)}</filename>'
               f'{objects}</annotation>')


def make_voc(root, items=VOC_ITEMS, masks=True):
    for i, (stem, (values, names, _)) in enumerate(items.items()):
        write_image(osp.join(root, 'JPEGImages', stem + '.jpg'), seed=i)
        if masks:
            write_mask(osp.join(root, 'SegmentationClassAug', stem + '.png'),
                       mask_with(values))
        write_voc_xml(osp.join(root, 'Annotations', stem + '.xml'), names)
    write_text(osp.join(root, 'ImageSets', 'Segmentation', 'train_aug.txt'),
               ''.join(stem + '\n' for stem in items))
    return root


def voc_cfg(root, cache_dir, **kwargs):
    cfg = dict(
        type='VOCWSSSDataset',
        data_root=root,
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
        ann_file='ImageSets/Segmentation/train_aug.txt',
        label_cache_dir=str(cache_dir),
        pipeline=[])
    cfg.update(kwargs)
    return cfg


def test_voc_class_indices():
    assert len(VOC_CLASSES) == 21
    assert VOC_CLASSES.index('dog') == 12
    assert VOC_CLASSES.index('person') == 15


@pytest.mark.parametrize('label_source', ['masks', 'xml'])
def test_voc_labels(init_scope, tmp_path, label_source):
    root = make_voc(str(tmp_path / 'VOC2012'))
    dataset = build(
        voc_cfg(root, tmp_path / 'cache', label_source=label_source))
    assert len(dataset) == len(VOC_ITEMS)
    assert dataset.metainfo['classes'] == VOC_CLASSES
    for i, (stem, (_, _, expected)) in enumerate(VOC_ITEMS.items()):
        info = dataset.get_data_info(i)
        assert osp.basename(info['img_path']) == stem + '.jpg'
        assert info['img_labels'] == expected


def test_voc_xml_labels_need_no_masks(init_scope, tmp_path):
    root = make_voc(str(tmp_path / 'VOC2012'), masks=False)
    dataset = build(
        voc_cfg(root, tmp_path / 'cache', label_source='xml',
                data_prefix=dict(img_path='JPEGImages')))
    assert all_labels(dataset) == [x[2] for x in VOC_ITEMS.values()]
    # deriving labels from masks that do not exist fails instead
    with pytest.raises(FileNotFoundError, match='SegmentationClassAug'):
        build(voc_cfg(root, tmp_path / 'cache', label_source='masks'))


def test_voc_xml_unknown_class_names_file(init_scope, tmp_path):
    root = make_voc(str(tmp_path / 'VOC2012'))
    bad_xml = osp.join(root, 'Annotations', '2007_000003.xml')
    write_voc_xml(bad_xml, ['aeroplane', 'unicorn'])
    with pytest.raises(ValueError) as info:
        build(voc_cfg(root, tmp_path / 'cache', label_source='xml'))
    assert bad_xml in str(info.value)
    assert 'unicorn' in str(info.value).replace(bad_xml, '')


def test_voc_malformed_xml_names_file(init_scope, tmp_path):
    root = make_voc(str(tmp_path / 'VOC2012'))
    bad_xml = osp.join(root, 'Annotations', '2007_000002.xml')
    write_text(bad_xml, '<annotation><object><name>dog</name>')
    with pytest.raises(ValueError) as info:
        build(voc_cfg(root, tmp_path / 'cache', label_source='xml'))
    assert bad_xml in str(info.value)


def test_voc_bad_label_source(init_scope, tmp_path):
    root = make_voc(str(tmp_path / 'VOC2012'))
    with pytest.raises(ValueError, match='label_source'):
        build(voc_cfg(root, tmp_path / 'cache', label_source='boxes'))


# --------------------------------------------------------------------- COCO
COCO_IMAGES = {
    9: 'COCO_train2014_000000000009.jpg',
    25: 'COCO_train2014_000000000025.jpg',
    30: 'COCO_train2014_000000000030.jpg',
}


def make_coco(root):
    categories = [
        dict(id=90, name='toothbrush', supercategory='indoor'),
        dict(id=1, name='person', supercategory='person'),
        dict(id=18, name='dog', supercategory='animal'),
    ]
    images = [dict(id=i, file_name=name, height=32, width=32)
              for i, name in COCO_IMAGES.items()]
    annotations = [
        dict(id=1, image_id=9, category_id=18, bbox=[0, 0, 5, 5]),
        dict(id=2, image_id=9, category_id=1, bbox=[0, 0, 5, 5]),
        dict(id=3, image_id=9, category_id=18, bbox=[5, 5, 5, 5]),
        dict(id=4, image_id=25, category_id=90, bbox=[0, 0, 5, 5]),
    ]
    write_text(osp.join(root, 'annotations', 'instances_train2014.json'),
               json.dumps(dict(images=images, annotations=annotations,
                               categories=categories)))
    for i, name in enumerate(COCO_IMAGES.values()):
        write_image(osp.join(root, 'JPEGImages', 'train2014', name), seed=i)
    write_text(osp.join(root, 'ImageSets', 'train.txt'),
               ''.join(osp.splitext(n)[0] + '\n'
                       for n in COCO_IMAGES.values()))
    return root


def coco_cfg(root, cache_dir, **kwargs):
    cfg = dict(
        type='COCOWSSSDataset',
        data_root=root,
        data_prefix=dict(
            img_path='JPEGImages/train2014',
            seg_map_path='SegmentationClass/train2014'),
        ann_file='ImageSets/train.txt',
        instance_file='annotations/instances_train2014.json',
        label_cache_dir=str(cache_dir),
        pipeline=[])
    cfg.update(kwargs)
    return cfg


def test_coco_contiguous_mapping(init_scope, tmp_path):
    assert len(COCO_CLASSES) == 81
    # COCO category ids are not contiguous: id 18 (dog) is index 17,
    # id 90 (toothbrush) is index 80.
    assert COCO_CLASSES.index('person') == 1
    assert COCO_CLASSES.index('dog') == 17
    assert COCO_CLASSES.index('toothbrush') == 80
    root = make_coco(str(tmp_path / 'coco'))
    dataset = build(coco_cfg(root, tmp_path / 'cache'))
    by_name = {osp.basename(info['img_path']): info['img_labels']
               for info in (dataset.get_data_info(i)
                            for i in range(len(dataset)))}
    assert by_name == {
        COCO_IMAGES[9]: [1, 17],
        COCO_IMAGES[25]: [80],
        COCO_IMAGES[30]: [],
    }


def test_coco_missing_instance_file(init_scope, tmp_path):
    root = make_coco(str(tmp_path / 'coco'))
    with pytest.raises(FileNotFoundError) as info:
        build(coco_cfg(root, tmp_path / 'cache',
                       instance_file='annotations/nope.json'))
    assert osp.join(root, 'annotations', 'nope.json') in str(info.value)


def test_coco_unknown_category_names_file(init_scope, tmp_path):
    root = make_coco(str(tmp_path / 'coco'))
    path = osp.join(root, 'annotations', 'instances_train2014.json')
    with open(path) as handle:
        coco = json.load(handle)
    coco['categories'].append(dict(id=91, name='hoverboard'))
    write_text(path, json.dumps(coco))
    with pytest.raises(ValueError) as info:
        build(coco_cfg(root, tmp_path / 'cache'))
    assert path in str(info.value)
    assert 'hoverboard' in str(info.value).replace(path, '')


# ------------------------------------------------------------------ MSRC-17
def test_msrc17_train(init_scope, msrc17_root, tmp_path):
    dataset = build(
        dict(
            type='MSRC17Dataset',
            data_root=msrc17_root,
            data_prefix=dict(
                img_path='JPEGImages', seg_map_path='SegmentationClass'),
            ann_file='ImageSets/Segmentation/train.txt',
            label_cache_dir=str(tmp_path),
            pipeline=[]))
    assert len(dataset) == 295
    assert len(dataset.metainfo['classes']) == 17
    assert dataset.metainfo['classes'] == MSRC17_CLASSES
    with open(osp.join(msrc17_root, 'classes.json')) as handle:
        assert list(MSRC17_CLASSES) == json.load(handle)
    for i in range(5):
        info = dataset.get_data_info(i)
        assert osp.isfile(info['img_path'])
        mask = raw_mask(info['seg_map_path'])
        assert info['img_labels'] == fg_classes(mask, 17)
    labels = all_labels(dataset)
    assert any(x == [] for x in labels)
    assert any(x for x in labels)
    assert all(all(1 <= c < 17 for c in x) for x in labels)


# ----------------------------------------------------------- labels folder
LABELS_TXT = """# image-level labels, one image per line
img1 cat dog
img2

# a comment between entries
img3 dog,teddy_bear
img4 dog
"""
FOLDER_CLASSES = ('background', 'cat', 'dog', 'teddy bear')


def make_folder(root, text=LABELS_TXT):
    for i, stem in enumerate(('img1', 'img2', 'img3', 'img4')):
        write_image(osp.join(root, 'images', stem + '.jpg'), seed=i)
    write_text(osp.join(root, 'labels.txt'), text)
    return root


def folder_cfg(root, cache_dir, **kwargs):
    cfg = dict(
        type='ImageLabelFolderDataset',
        data_root=root,
        labels_file='labels.txt',
        data_prefix=dict(img_path='images'),
        metainfo=dict(classes=FOLDER_CLASSES),
        label_cache_dir=str(cache_dir),
        pipeline=[])
    cfg.update(kwargs)
    return cfg


def test_image_label_folder_labels(init_scope, tmp_path):
    root = make_folder(str(tmp_path / 'mine'))
    dataset = build(folder_cfg(root, tmp_path / 'cache'))
    assert dataset.metainfo['classes'] == FOLDER_CLASSES
    got = {osp.basename(dataset.get_data_info(i)['img_path']):
           dataset.get_data_info(i)['img_labels']
           for i in range(len(dataset))}
    assert got == {
        'img1.jpg': [1, 2],
        'img2.jpg': [],
        'img3.jpg': [2, 3],
        'img4.jpg': [2],
    }
    for i in range(len(dataset)):
        assert osp.isfile(dataset.get_data_info(i)['img_path'])
        assert 'seg_map_path' not in dataset.get_data_info(i)


def test_image_label_folder_pipeline(init_scope, tmp_path):
    root = make_folder(str(tmp_path / 'mine'))
    dataset = build(
        folder_cfg(
            root, tmp_path / 'cache',
            pipeline=[
                dict(type='LoadCheckedImageFromFile'),
                dict(type='CheckImageLabels', num_classes=4),
                dict(type='PackWSSSInputs')
            ]))
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (3, 32, 32)
    assert sample['data_samples'].metainfo['img_labels'] == [1, 2]


def test_image_label_folder_unknown_class(init_scope, tmp_path):
    root = make_folder(
        str(tmp_path / 'mine'), text='img1 cat\n# note\nimg2 cat zebra\n')
    path = osp.join(root, 'labels.txt')
    with pytest.raises(ValueError) as info:
        build(folder_cfg(root, tmp_path / 'cache'))
    message = str(info.value)
    assert f'{path}:3' in message
    assert 'zebra' in message.replace(path, '')


def test_image_label_folder_classes_come_from_the_labels_file(
        init_scope, tmp_path):
    root = make_folder(str(tmp_path / 'mine'))
    cfg = folder_cfg(root, tmp_path / 'cache')
    del cfg['metainfo']
    dataset = build(cfg)
    assert dataset.metainfo['classes'] == ('background', 'cat', 'dog',
                                           'teddy_bear')
    assert dataset.metainfo['palette'][0] == [0, 0, 0]
    assert dataset.get_data_info(2)['img_labels'] == [2, 3]


def test_image_label_folder_duplicate_image_names_both_lines(
        init_scope, tmp_path):
    root = make_folder(str(tmp_path / 'mine'),
                       text='img1 cat\nimg2\nimg1 dog\n')
    with pytest.raises(ValueError, match=r"labels.txt: image 'img1' is "
                       r'listed twice \(lines 1 and 3\)'):
        build(folder_cfg(root, tmp_path / 'cache'))


def test_custom_dataset_with_pseudo_masks_never_opens_ground_truth(
        init_scope, tmp_path, monkeypatch):
    """The own-data dataset goes through the one data-list path: with
    pseudo_seg_map_path every image trains on its pseudo mask, even when a
    ground-truth folder is configured for evaluation, and no ground-truth
    mask is opened, by the data list or by the pipeline."""
    import mmwsss.datasets.transforms.loading as loading
    import mmwsss.utils.io as io
    root = make_folder(str(tmp_path / 'mine'))
    os.makedirs(osp.join(root, 'gt'))
    for stem in ('img1', 'img2', 'img3', 'img4'):
        write_mask(osp.join(root, 'gt', stem + '.png'),
                   np.full((32, 32), 2, np.uint8))
        write_mask(osp.join(root, 'pseudo', stem + '.png'),
                   np.full((32, 32), 1, np.uint8))
    opened = []
    real = io.read_mask

    def spy(path):
        opened.append(path)
        return real(path)

    monkeypatch.setattr(loading, 'read_mask', spy)
    dataset = build(folder_cfg(
        root, tmp_path / 'cache',
        data_prefix=dict(img_path='images', seg_map_path='gt'),
        pseudo_seg_map_path='pseudo',
        pipeline=[dict(type='LoadCheckedImageFromFile'),
                  dict(type='LoadCheckedAnnotations'),
                  dict(type='PackWSSSInputs')]))
    for index in range(len(dataset)):
        sample = dataset[index]
        assert (sample['data_samples'].gt_sem_seg.data == 1).all()
    assert opened and all('/pseudo/' in p for p in opened), opened
    # ... and a pseudo mask with a value past the classes names its file
    write_mask(osp.join(root, 'pseudo', 'img1.png'),
               np.full((32, 32), 9, np.uint8))
    with pytest.raises(ValueError, match=r'pseudo/img1.png: mask values '
                       r'\[9\]'):
        dataset[0]


def test_subclasses_cannot_skip_the_data_list_path():
    from mmwsss.datasets import ImageLabelSegDataset
    with pytest.raises(TypeError, match='overrides load_data_list'):
        class Shortcut(ImageLabelSegDataset):
            def load_data_list(self):
                return []


def test_image_label_folder_holds_back_a_val_split(init_scope, tmp_path):
    text = ''.join(f'img{i} cat\n' for i in range(1, 5)) + \
        ''.join(f'x{i} dog\n' for i in range(20))
    root = str(tmp_path / 'mine')
    for i in range(20):
        write_image(osp.join(root, 'images', f'x{i}.jpg'), seed=i)
    make_folder(root, text=text)
    stems = {}
    for split in ('all', 'train', 'val'):
        dataset = build(folder_cfg(root, tmp_path / 'cache', split=split))
        stems[split] = [osp.basename(dataset.get_data_info(i)['img_path'])
                        for i in range(len(dataset))]
    assert len(stems['all']) == 24
    assert stems['val'] == ['x5.jpg', 'x15.jpg']  # the 10th and 20th lines
    assert sorted(stems['train'] + stems['val']) == sorted(stems['all'])
    few = make_folder(str(tmp_path / 'few'))
    val = build(folder_cfg(few, tmp_path / 'cache', split='val'))
    assert len(val) == 1  # fewer than 10 images: the last is held back
