"""A pixel-labelled subset in a weakly labelled dataset (``pixel_labels``):
which images train on their true masks, how those masks are remapped and
checked, and that no other training image ever reads its mask."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from PIL import Image
from test_bad_inputs import msrc_cfg
from test_datasets import write_text

from mmwsss.datasets import SYNTHETIC_CLASSES, voc_palette
from mmwsss.datasets.pixel_labels import pixel_labelled_infos, read_true_mask
from mmwsss.utils.io import read_mask

PALETTE = np.array(voc_palette(256), np.uint8).reshape(-1).tolist()
#: classes.txt of the own-data folder: another order than the dataset's
FILE_ORDER = ('background', 'wedge', 'ring', 'disc', 'box')
#: the dataset's classes when they come from the labels file (sorted tags)
FOLDER_CLASSES = ('background', 'box', 'disc', 'ring', 'wedge')


# ------------------------------------------------------------------ helpers
def build(cfg):
    from mmseg.registry import DATASETS
    return DATASETS.build(cfg)


def write_png(path, arr, mode='P'):
    os.makedirs(osp.dirname(path), exist_ok=True)
    png = Image.fromarray(np.asarray(arr).astype(np.uint8), mode=mode)
    if mode == 'P':
        png.putpalette(PALETTE)
    png.save(path, format='PNG')


def train_ids(root):
    path = osp.join(root, 'ImageSets', 'Segmentation', 'train.txt')
    return open(path).read().split()


def gt_mask(root, stem):
    return read_mask(osp.join(root, 'SegmentationClass', stem + '.png'))


def synthetic_cfg(root, tmp_path, **kwargs):
    """The synthetic fixture's train split, as test_bad_inputs builds
    MSRC-17's."""
    return msrc_cfg(root, tmp_path, **dict(
        dict(type='SyntheticWSSSDataset', generate=False), **kwargs))


def subset_list(tmp_path, ids, name='pixel.txt'):
    path = str(tmp_path / name)
    write_text(path, '\n'.join(ids) + '\n')
    return path


def infos_by_stem(dataset):
    return {osp.splitext(osp.basename(info['img_path']))[0]: info
            for info in (dataset.get_data_info(i)
                         for i in range(len(dataset)))}


def fill_folder(folder, stems, suffix, write):
    os.makedirs(folder, exist_ok=True)
    for stem in stems:
        write(osp.join(folder, stem + suffix))


# ---------------------------------------------------------------- VOC layout
def test_voc_layout_subset_marks_images_and_reads_their_masks(
        init_scope, synthetic_root, tmp_path):
    ids = train_ids(synthetic_root)
    subset = ids[:3]
    dataset = build(synthetic_cfg(
        synthetic_root, tmp_path,
        pixel_labels=dict(ann_file=subset_list(tmp_path, subset))))
    infos = infos_by_stem(dataset)
    assert [s for s in ids if infos[s]['pixel_labelled']] == subset
    labelled = pixel_labelled_infos(dataset)
    assert [osp.basename(i['img_path']) for i in labelled] == \
        [s + '.jpg' for s in subset]
    for stem in subset:
        info = infos[stem]
        assert info['true_seg_map_path'] == info['seg_map_path']
        np.testing.assert_array_equal(read_true_mask(info),
                                      gt_mask(synthetic_root, stem))
    other = infos[ids[5]]
    assert 'true_seg_map_path' not in other
    with pytest.raises(ValueError, match='not in the pixel-labelled subset'):
        read_true_mask(other)


def test_without_pixel_labels_no_image_is_labelled(init_scope, synthetic_root,
                                                   tmp_path):
    dataset = build(synthetic_cfg(synthetic_root, tmp_path))
    assert not pixel_labelled_infos(dataset)
    assert dataset.get_data_info(0)['pixel_labelled'] is False


def test_subset_trains_on_true_masks_instead_of_pseudo_masks(
        init_scope, synthetic_root, tmp_path):
    ids = train_ids(synthetic_root)
    subset = ids[:2]
    pseudo = str(tmp_path / 'pseudo')
    # pseudo masks (all background) for every image but the first subset one
    fill_folder(pseudo, ids[1:], '.png',
                lambda p: write_png(p, np.zeros((64, 64))))
    dataset = build(synthetic_cfg(
        synthetic_root, tmp_path, pseudo_seg_map_path=pseudo,
        pixel_labels=dict(ann_file=subset_list(tmp_path, subset)),
        pipeline=[dict(type='LoadCheckedImageFromFile'),
                  dict(type='LoadCheckedAnnotations')]))
    infos = infos_by_stem(dataset)
    for stem in subset:
        assert infos[stem]['seg_map_path'] == \
            osp.join(synthetic_root, 'SegmentationClass', stem + '.png')
    assert infos[ids[3]]['seg_map_path'] == osp.join(pseudo, ids[3] + '.png')
    index = {s: i for i, s in enumerate(infos)}
    for stem in subset:
        np.testing.assert_array_equal(dataset[index[stem]]['gt_seg_map'],
                                      gt_mask(synthetic_root, stem))
    assert not dataset[index[ids[3]]]['gt_seg_map'].any()
    # an image outside the subset still needs its pseudo mask
    os.remove(osp.join(pseudo, ids[4] + '.png'))
    with pytest.raises(FileNotFoundError, match='1 of 22 pseudo masks'):
        build(synthetic_cfg(
            synthetic_root, tmp_path, pseudo_seg_map_path=pseudo,
            pixel_labels=dict(ann_file=subset_list(tmp_path, subset))))


def test_subset_list_naming_an_image_outside_the_split(
        init_scope, synthetic_root, tmp_path):
    ids = train_ids(synthetic_root)
    path = subset_list(tmp_path, [ids[0], 'val_00030', 'typo'])
    with pytest.raises(ValueError) as info:
        build(synthetic_cfg(synthetic_root, tmp_path,
                            pixel_labels=dict(ann_file=path)))
    assert path in str(info.value)
    assert "'typo'" in str(info.value)
    # strict=False: a list wider than the dataset (STC's simple subset)
    dataset = build(synthetic_cfg(
        synthetic_root, tmp_path,
        pixel_labels=dict(ann_file=path, strict=False)))
    assert len(pixel_labelled_infos(dataset)) == 1


@pytest.mark.parametrize('bad', [
    dict(), dict(ann_file='a.txt', folder='masks'), dict(folder='m', x=1)])
def test_pixel_labels_argument_is_checked(init_scope, synthetic_root,
                                          tmp_path, bad):
    with pytest.raises(ValueError, match='SyntheticWSSSDataset: pixel_labels'):
        build(synthetic_cfg(synthetic_root, tmp_path, pixel_labels=bad))


def make_voc(root, mask_size=(32, 32)):
    """A two-image VOC-layout dataset; ``b``'s mask has ``mask_size``."""
    for stem, size in (('a', (32, 32)), ('b', mask_size)):
        os.makedirs(osp.join(root, 'JPEGImages'), exist_ok=True)
        Image.new('RGB', (32, 32)).save(
            osp.join(root, 'JPEGImages', stem + '.jpg'))
        mask = np.zeros(size, np.uint8)
        mask[:8] = 2
        write_png(osp.join(root, 'SegmentationClass', stem + '.png'), mask)
    write_text(osp.join(root, 'ImageSets', 'Segmentation', 'train.txt'),
               'a\nb\n')
    write_text(osp.join(root, 'pixel.txt'), 'b\n')
    return root


def test_subset_mask_of_another_size_than_its_image(init_scope, tmp_path):
    root = make_voc(str(tmp_path / 'voc'), mask_size=(32, 30))
    build(synthetic_cfg(root, tmp_path))  # evaluation masks are not checked
    with pytest.raises(ValueError) as info:
        build(synthetic_cfg(root, tmp_path,
                            pixel_labels=dict(ann_file='pixel.txt')))
    assert osp.join(root, 'SegmentationClass', 'b.png') in str(info.value)
    assert 'size (32, 30)' in str(info.value)


# ----------------------------------------------------------------- own data
def to_file_values(mask):
    """A synthetic mask in the value order of ``FILE_ORDER``."""
    out = mask.copy()
    for cls, name in enumerate(SYNTHETIC_CLASSES):
        out[mask == cls] = FILE_ORDER.index(name)
    return out


def to_folder_classes(mask):
    """A synthetic mask in the own-data dataset's class indices."""
    out = mask.copy()
    for cls, name in enumerate(SYNTHETIC_CLASSES):
        out[mask == cls] = FOLDER_CLASSES.index(name)
    return out


def make_own(synthetic_root, root, masked=2):
    """The synthetic train images as own data (``images/`` +
    ``labels.txt``), with ``masks/`` for the first ``masked`` images (one
    palette, one grey PNG; some background pixels ignored) in the value
    order of ``FILE_ORDER``.  Returns the stems and the expected masks in
    the dataset's class indices."""
    ids = train_ids(synthetic_root)
    lines, expected = [], {}
    os.makedirs(osp.join(root, 'images'))
    for i, stem in enumerate(ids):
        shutil.copy(osp.join(synthetic_root, 'JPEGImages', stem + '.jpg'),
                    osp.join(root, 'images'))
        mask = gt_mask(synthetic_root, stem).astype(np.uint8)
        tags = [SYNTHETIC_CLASSES[c] for c in np.unique(mask) if c]
        lines.append(' '.join([stem] + tags))
        if i < masked:
            mask[:4][mask[:4] == 0] = 255
            write_png(osp.join(root, 'masks', stem + '.png'),
                      to_file_values(mask), mode='PL'[i % 2])
            expected[stem] = to_folder_classes(mask)
    write_text(osp.join(root, 'labels.txt'), '\n'.join(lines) + '\n')
    write_text(osp.join(root, 'masks', 'classes.txt'),
               '\n'.join(FILE_ORDER) + '\n')
    return ids, expected


def own_cfg(root, tmp_path, **kwargs):
    cfg = dict(type='ImageLabelFolderDataset', data_root=root,
               data_prefix=dict(img_path='images'),
               label_cache_dir=str(tmp_path / 'cache'), pipeline=[])
    cfg.update(kwargs)
    return cfg


@pytest.fixture
def own(synthetic_root, tmp_path):
    root = str(tmp_path / 'own')
    ids, expected = make_own(synthetic_root, root)
    return root, ids, expected


def test_own_masks_folder_is_used_by_default(init_scope, own, tmp_path):
    root, ids, expected = own
    dataset = build(own_cfg(root, tmp_path))
    assert dataset.metainfo['classes'] == FOLDER_CLASSES
    labelled = pixel_labelled_infos(dataset)
    assert [osp.basename(i['true_seg_map_path']) for i in labelled] == \
        [s + '.png' for s in expected]
    for info in labelled:
        stem = osp.splitext(osp.basename(info['img_path']))[0]
        np.testing.assert_array_equal(read_true_mask(info), expected[stem])
    # None ignores the folder; without a folder 'auto' finds none
    assert not pixel_labelled_infos(
        build(own_cfg(root, tmp_path, pixel_labels=None)))
    shutil.rmtree(osp.join(root, 'masks'))
    assert not pixel_labelled_infos(build(own_cfg(root, tmp_path)))


@pytest.mark.parametrize('loader', ['LoadCheckedAnnotations',
                                    'LoadAnnotations'])
def test_own_masks_are_remapped_by_the_mask_loaders(init_scope, own,
                                                    tmp_path, loader):
    root, ids, expected = own
    pseudo = str(tmp_path / 'pseudo')
    fill_folder(pseudo, ids[len(expected):], '.png',
                lambda p: write_png(p, np.full((64, 64), 3)))
    dataset = build(own_cfg(
        root, tmp_path, pseudo_seg_map_path=pseudo,
        pipeline=[dict(type='LoadCheckedImageFromFile'), dict(type=loader)]))
    for index, stem in enumerate(ids[:3]):
        got = dataset[index]['gt_seg_map']
        if stem in expected:
            np.testing.assert_array_equal(got, expected[stem])
        else:
            assert (got == 3).all()


def test_masks_only_trains_the_subset_alone_as_long_as_the_whole_split(
        init_scope, own, tmp_path):
    """The masks-only baseline: only the masked photos, on their true masks
    (no pseudo-mask folder needed), cycled to the split's length."""
    root, ids, expected = own
    pipeline = [dict(type='LoadCheckedImageFromFile'),
                dict(type='LoadCheckedAnnotations')]
    dataset = build(own_cfg(root, tmp_path, masks_only=True,
                            pipeline=pipeline))
    assert len(dataset) == len(ids) > len(expected)
    stems = list(expected)
    for index in range(len(dataset)):
        item = dataset[index]
        stem = stems[index % len(stems)]
        assert osp.basename(item['img_path']).startswith(stem + '.')
        np.testing.assert_array_equal(item['gt_seg_map'], expected[stem])
    # one fold held out: the other masked photos, cycled the same way
    half = build(own_cfg(root, tmp_path, pipeline=pipeline,
                         masks_only=dict(folds=2, held_out=0)))
    trained = stems[1::2]
    # each photo drawn as often as with the whole subset
    assert len(half) == round(len(ids) * len(trained) / len(stems))
    assert [osp.basename(half.get_data_info(i)['img_path']).split('.')[0]
            for i in range(len(half))] == \
        [trained[i % len(trained)] for i in range(len(half))]
    shutil.rmtree(osp.join(root, 'masks'))
    with pytest.raises(ValueError, match='masks_only=True.*none of the'):
        build(own_cfg(root, tmp_path, masks_only=True))


def test_soft_targets_of_subset_images_come_from_their_true_masks(
        init_scope, own, tmp_path):
    from mmwsss.datasets.transforms import saliency_soft_targets
    from mmwsss.utils.io import save_soft_map
    root, ids, expected = own
    others = ids[len(expected):]
    saliency, soft = str(tmp_path / 'saliency'), str(tmp_path / 'soft')
    fill_folder(saliency, others, '.png',
                lambda p: write_png(p, np.full((64, 64), 255), mode='L'))
    fill_folder(soft, others, '.npz', lambda p: save_soft_map(
        p, [0], np.ones((1, 64, 64))))
    load = dict(type='LoadCheckedImageFromFile')
    routes = ((dict(saliency_map_path=saliency), 'SaliencySoftTargets'),
              (dict(soft_map_path=soft), 'LoadSoftMap'),
              (dict(saliency_map_path=saliency), 'LoadSegTargets'))
    for route, transform in routes:
        dataset = build(own_cfg(root, tmp_path, **route,
                                pipeline=[load, dict(type=transform)]))
        for index, stem in enumerate(ids[:3]):
            target = dataset[index]['gt_soft_seg']
            if stem not in expected:
                assert target.sum(-1).min() == 1  # from saliency / soft map
                assert not target[..., 1:].any() or \
                    'saliency_map_path' in route
                continue
            mask = expected[stem]
            assert target.shape == (64, 64, 5)
            np.testing.assert_array_equal(target[mask == 255], 0)
            kept = mask != 255
            np.testing.assert_array_equal(target[kept].argmax(-1),
                                          mask[kept])
            np.testing.assert_array_equal(target[kept].sum(-1), 1)
        if transform == 'SaliencySoftTargets':
            info = dataset.get_data_info(len(expected))
            np.testing.assert_allclose(
                dataset[len(expected)]['gt_soft_seg'],
                saliency_soft_targets(np.ones((64, 64)), info['img_labels'],
                                      5))


def test_subset_list_needs_dataset_masks(init_scope, own, tmp_path):
    root, ids, _ = own
    path = subset_list(tmp_path, ids[:1])
    with pytest.raises(ValueError, match='no data_prefix seg_map_path') as \
            info:
        build(own_cfg(root, tmp_path, pixel_labels=dict(ann_file=path)))
    assert path in str(info.value)


def test_own_mask_checks_at_load(init_scope, synthetic_root, own, tmp_path):
    root, ids, expected = own
    masks = osp.join(root, 'masks')
    first = osp.join(masks, ids[0] + '.png')
    original = read_mask(first)

    def refused(match, path=first):
        with pytest.raises(ValueError, match=match) as info:
            build(own_cfg(root, tmp_path))
        assert path in str(info.value)

    tags = {SYNTHETIC_CLASSES[c]
            for c in np.unique(gt_mask(synthetic_root, ids[0])) if c}
    absent = sorted(set(FILE_ORDER[1:]) - tags)[0]
    bad = original.copy()
    bad[-4:] = FILE_ORDER.index(absent)  # a class its tags do not list
    write_png(first, bad)
    refused('tags do not list')
    write_png(first, np.where(original < 255, 0, 255))  # objects erased
    refused('lacks tagged')
    write_png(first, np.pad(original, ((0, 2), (0, 0))))
    refused('differs from image')
    bad = original.copy()
    bad[-1, -1] = 7  # classes.txt names values 0..4
    write_png(first, bad)
    refused(r'mask values \[7\] are not classes')
    write_png(first, original)
    stray = osp.join(masks, 'not_an_image.png')
    write_png(stray, original)
    refused('does not hold', stray)
    os.remove(stray)
    build(own_cfg(root, tmp_path))  # all well again


@pytest.mark.parametrize('text, match', [
    (None, 'does not exist'),
    ('background\nwedge\nzebra\n', r":3: 'zebra' \(value 2\) is not a class"),
    ('wedge\nbox\n', 'the first line names value 0'),
    ('background\n\nbox\n', ':2: blank line'),
    ('background\nbox\nbox\n', ":3: 'box' already names value 1"),
])
def test_classes_file_is_checked(init_scope, own, tmp_path, text, match):
    root = own[0]
    path = osp.join(root, 'masks', 'classes.txt')
    os.remove(path)
    if text is not None:
        write_text(path, text)
    with pytest.raises((ValueError, FileNotFoundError), match=match) as info:
        build(own_cfg(root, tmp_path))
    assert path in str(info.value)


def test_a_held_back_image_mask_belongs_to_the_val_split(
        init_scope, synthetic_root, own, tmp_path):
    root, ids, expected = own
    write_png(osp.join(root, 'masks', ids[9] + '.png'),
              to_file_values(gt_mask(synthetic_root, ids[9])))
    train = build(own_cfg(root, tmp_path, split='train'))
    val = build(own_cfg(root, tmp_path, split='val'))
    assert len(pixel_labelled_infos(train)) == len(expected)
    assert [osp.basename(i['img_path']) for i in pixel_labelled_infos(val)] \
        == [ids[9] + '.jpg']


# ---------------------------------------------------------------- real data
def test_msrc17_ten_percent_list(init_scope, msrc17_root, tmp_path):
    dataset = build(dict(
        type='MSRC17Dataset', data_root=msrc17_root,
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClass'),
        ann_file='ImageSets/Segmentation/train.txt',
        label_cache_dir=str(tmp_path),
        pixel_labels=dict(
            ann_file='ImageSets/Segmentation/train_pixel_10pct.txt'),
        pipeline=[]))
    assert len(dataset) == 295
    labelled = pixel_labelled_infos(dataset)
    assert len(labelled) == 30
    info = labelled[0]
    assert set(np.unique(read_true_mask(info))) - {0, 255} == \
        set(info['img_labels'])
    # face (5) is never tagged without body (15), and one listed mask
    # shows both: the tags-only face images train those pixels on the set
    assert dataset.inseparable_groups == [[5, 15]]
    marked = [i for i in (dataset.get_data_info(n) for n in range(295))
              if i.get('candidate_sets')]
    assert len(marked) == 28
    assert all(i['candidate_sets'] == [[5, 15]] and not i['pixel_labelled']
               for i in marked)
