"""A user's labels file is read strictly, and the training data are
checked before any stage runs (mmwsss.datasets.dataset_check)."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmwsss.datasets import (MIN_TRAIN_IMAGES, check_dataset_configs,
                             check_training_data, classes_from_labels_file,
                             parse_labels_file, read_labels_file)
from mmwsss.datasets.dataset_check import find_typos, one_edit_apart


# ------------------------------------------------------------------ helpers
def write(path, data):
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    with open(path, 'wb') as handle:
        handle.write(data.encode() if isinstance(data, str) else data)
    return str(path)


def tagged_folder(root, lines, extra_files=()):
    """``root/images/<stem>.jpg`` for every line's stem (building a folder
    dataset never decodes them) and ``root/labels.txt``."""
    for line in lines:
        stem = line.split('#')[0].split()
        if stem:
            write(osp.join(root, 'images', stem[0] + '.jpg'), b'jpeg')
    for name in extra_files:
        write(osp.join(root, 'images', name), b'other')
    return write(osp.join(root, 'labels.txt'), '\n'.join(lines) + '\n')


def folder_cfg(root, **kwargs):
    return dict(type='ImageLabelFolderDataset', data_root=str(root),
                labels_file='labels.txt', data_prefix=dict(img_path='images'),
                label_cache_dir=None, pipeline=[], **kwargs)


def build(cfg):
    from mmwsss.registry import DATASETS
    return DATASETS.build(cfg)


def split_datasets(root, **kwargs):
    """The train and held-back (every 10th image) datasets of a folder."""
    return (build(folder_cfg(root, split='train', **kwargs)),
            build(folder_cfg(root, split='val', **kwargs)))


def tag_lines(counts, start=0):
    """``img_000 tag`` lines: ``counts`` maps tag -> number of images."""
    lines = []
    for tag, n in counts.items():
        for _ in range(n):
            lines.append(f'img_{start + len(lines):03d} {tag}')
    return lines


# ------------------------------------------------------ labels file format
def test_inline_comment_is_not_a_tag(tmp_path):
    path = write(tmp_path / 'labels.txt',
                 'a disc # the red one\nb box#no space\n# whole line\n')
    assert read_labels_file(path) == {'a': (1, ['disc']), 'b': (2, ['box'])}
    assert classes_from_labels_file(path) == ('background', 'box', 'disc')


def test_tags_differing_in_case_are_an_error(tmp_path):
    path = write(tmp_path / 'labels.txt', 'a disc\nb box\nc Disc\n')
    with pytest.raises(ValueError) as info:
        classes_from_labels_file(path)
    message = str(info.value)
    assert path in message
    assert "'disc' (line 1)" in message and "'Disc' (line 3)" in message


def test_config_classes_match_tags_ignoring_case(tmp_path):
    path = write(tmp_path / 'labels.txt', 'a disc\nb BOX, background\n')
    labels = parse_labels_file(path, ('background', 'Disc', 'box'))
    assert labels == {'a': [1], 'b': [2]}


def test_config_classes_differing_in_case_need_exact_tags(tmp_path):
    classes = ('background', 'Disc', 'disc')
    exact = write(tmp_path / 'exact.txt', 'a disc\nb Disc\n')
    with pytest.raises(ValueError, match='differ only in case'):
        # the file's own spellings clash before any class is matched
        parse_labels_file(exact, classes)
    path = write(tmp_path / 'labels.txt', 'a DISC\n')
    with pytest.raises(ValueError) as info:
        parse_labels_file(path, classes)
    assert f'{path}:1' in str(info.value)
    assert "['Disc', 'disc']" in str(info.value)
    assert parse_labels_file(write(tmp_path / 'one.txt', 'a disc\n'),
                             classes) == {'a': [2]}


def test_utf8_bom_is_dropped(init_scope, tmp_path):
    root = tmp_path / 'data'
    tagged_folder(str(root), ['a disc', 'b box'])
    write(root / 'labels.txt', b'\xef\xbb\xbfa disc\nb box\n')
    dataset = build(folder_cfg(root))
    assert dataset.metainfo['classes'] == ('background', 'box', 'disc')
    assert [dataset.get_data_info(i)['img_labels'] for i in range(2)] == [
        [2], [1]]


def test_non_utf8_file_names_the_line(tmp_path):
    path = write(tmp_path / 'labels.txt',
                 'a disc\nb caf\xe9\n'.encode('cp1252'))
    with pytest.raises(ValueError) as info:
        read_labels_file(path)
    assert f'{path}:2:' in str(info.value)
    assert 'must be UTF-8' in str(info.value)


def test_no_tag_at_all_is_an_error(init_scope, tmp_path):
    root = tmp_path / 'data'
    path = tagged_folder(str(root), ['a', 'b  # nothing here', 'c background'])
    with pytest.raises(ValueError) as info:
        build(folder_cfg(root))
    assert path in str(info.value)
    assert 'no image carries a tag: there is no class to learn' in str(
        info.value)


def test_two_files_for_one_listed_image(init_scope, tmp_path):
    root = tmp_path / 'data'
    path = tagged_folder(str(root), ['x disc', 'y box'],
                         extra_files=['x.png', 'z.jpg', 'z.png'])
    with pytest.raises(ValueError) as info:
        build(folder_cfg(root))
    assert path in str(info.value)
    assert 'x.jpg and x.png' in str(info.value)
    # an unlisted image may share its stem: the dataset never reads it
    os.remove(root / 'images' / 'x.png')
    dataset = build(folder_cfg(root))
    assert dataset.get_data_info(0)['img_path'].endswith('x.jpg')


def test_format_rules_kept(tmp_path):
    path = write(tmp_path / 'labels.txt',
                 'a disc,box\nb background Background\r\nc box\n')
    assert classes_from_labels_file(path) == ('background', 'box', 'disc')
    assert parse_labels_file(path, ('background', 'box', 'disc')) == {
        'a': [1, 2], 'b': [], 'c': [1]}
    twice = write(tmp_path / 'twice.txt', 'a disc\nb box\na box\n')
    with pytest.raises(ValueError, match=r'listed twice \(lines 1 and 3\)'):
        read_labels_file(twice)


# ----------------------------------------------------------- data check
def test_rare_class_is_an_error_naming_the_labels_file(init_scope, tmp_path):
    lines = tag_lines(dict(disc=30, box=2, ring=3))
    path = tagged_folder(str(tmp_path), lines)
    train, held = split_datasets(tmp_path)
    with pytest.raises(ValueError) as info:
        check_training_data(train, held)
    message = str(info.value)
    assert path in message
    assert "class 'box': 2 training images, fewer than 5" in message
    assert "class 'ring': 3 training images" in message
    assert "'disc'" not in message


def test_allow_rare_makes_it_a_warning(init_scope, tmp_path):
    tagged_folder(str(tmp_path), tag_lines(dict(disc=30, box=2)))
    train, held = split_datasets(tmp_path)
    report = check_training_data(train, held, allow_rare=True)
    assert report.errors == []
    assert "class 'box': 2 training images, fewer than 5" in report.warnings
    rows = {c.name: (c.train, c.held) for c in report.classes}
    assert rows == {'box': (2, 0), 'disc': (27, 3)}
    assert (report.num_train, report.num_held) == (29, 3)
    assert report.min_images == MIN_TRAIN_IMAGES
    text = report.format()
    assert 'box' in text and 'warning: class' in text
    assert json.loads(json.dumps(report.to_dict()))['classes'][0] == dict(
        name='box', train=2, held=0)


def test_class_only_held_back_images_carry(init_scope, tmp_path):
    lines = tag_lines(dict(disc=19))
    lines.insert(9, 'img_xxx ring')  # the 10th line: held back
    tagged_folder(str(tmp_path), lines)
    train, held = split_datasets(tmp_path)
    with pytest.raises(ValueError) as info:
        check_training_data(train, held)
    assert ("class 'ring': 0 training images: only held-back images carry "
            'it (1)') in str(info.value)


def test_class_list_names_a_class_no_image_has(init_scope, tmp_path):
    tagged_folder(str(tmp_path), tag_lines(dict(disc=12)))
    train, held = split_datasets(
        tmp_path, metainfo=dict(classes=('background', 'disc', 'wedge')))
    with pytest.raises(ValueError) as info:
        check_training_data(train, held)
    assert "class 'wedge': no image carries it" in str(info.value)


def test_typo_of_a_frequent_class(init_scope, tmp_path):
    lines = tag_lines(dict(disc=30, disk=1, box=12, bo=2))
    tagged_folder(str(tmp_path), lines)
    train, held = split_datasets(tmp_path)
    with pytest.raises(ValueError) as info:
        check_training_data(train, held)
    assert ("class 'disk': 1 training image, fewer than 5; one edit from "
            "'disc' (30 images): a typo?") in str(info.value)
    report = check_training_data(train, held, allow_rare=True)
    assert [(t['tag'], t['like']) for t in report.typos] == [('disk', 'disc')]
    assert any(w.startswith("tag 'disk' (1 image) is one edit from 'disc'")
               for w in report.warnings)
    # 'bo' (2 images) is one edit from 'box' but not ten times rarer
    assert not any("tag 'bo'" in w for w in report.warnings)


def test_one_edit_apart():
    assert one_edit_apart('disc', 'disk')
    assert one_edit_apart('disc', 'dis') and one_edit_apart('dis', 'disc')
    assert one_edit_apart('box', 'boxs')
    assert not one_edit_apart('disc', 'disc')
    assert not one_edit_apart('disc', 'dsic')  # a swap is two edits
    assert not one_edit_apart('disc', 'box')


def test_find_typos_ignores_case(init_scope):
    from mmwsss.datasets.dataset_check import ClassCount
    counts = [ClassCount('Disc', 40, 5), ClassCount('disk', 1, 0)]
    assert find_typos(counts) == [
        dict(tag='disk', images=1, like='Disc', like_images=45)]


def test_untagged_images_are_counted(init_scope, tmp_path):
    tagged_folder(str(tmp_path),
                  tag_lines(dict(disc=12)) + ['empty_1', 'empty_2'])
    train, held = split_datasets(tmp_path)
    report = check_training_data(train, held)
    assert report.untagged == 2
    assert report.untagged_examples == ['empty_1', 'empty_2']
    assert ('2 of 13 training images carry no tag (background only), e.g. '
            'empty_1, empty_2') in report.warnings[0]


def test_classes_never_alone_are_reported(init_scope, tmp_path):
    lines = [f'img_{i:03d} face body' for i in range(8)]
    lines += [f'solo_{i:03d} body' for i in range(6)]
    tagged_folder(str(tmp_path), lines)
    train, held = split_datasets(tmp_path)
    report = check_training_data(train, held)
    assert report.never_alone == [dict(cls='face', always_with=['body'],
                                       images=8, decided_by_masks=False)]
    assert any("tagged 'face' is also tagged 'body'" in w and 'may swap'
               in w for w in report.warnings)
    # one pixel mask showing both: its masks decide, the others train the
    # face and body pixels on the pair
    Image.new('RGB', (8, 6)).save(tmp_path / 'images' / 'img_001.jpg')
    mask = np.zeros((6, 8), np.uint8)
    mask[:2], mask[2:] = 1, 2
    os.makedirs(tmp_path / 'masks')
    Image.fromarray(mask).save(tmp_path / 'masks' / 'img_001.png')
    write(str(tmp_path / 'masks' / 'classes.txt'), 'background\nface\nbody\n')
    train, held = split_datasets(tmp_path)
    report = check_training_data(train, held)
    assert report.never_alone[0]['decided_by_masks']
    assert any("pixel-labelled images' masks decide" in w
               for w in report.warnings)
    assert [i.get('candidate_sets') for i in (
        train.get_data_info(n) for n in range(3))] == \
        [[[1, 2]], None, [[1, 2]]]


def test_check_dataset_configs_reads_tags_only(init_scope, tmp_path):
    tagged_folder(str(tmp_path), tag_lines(dict(disc=12, box=12)))
    pipeline = [dict(type='LoadCheckedImageFromFile')]
    train = dict(folder_cfg(tmp_path, split='train'), pipeline=pipeline,
                 pseudo_seg_map_path='not_made_yet')
    val = dict(folder_cfg(tmp_path, split='val'), pipeline=pipeline)
    report = check_dataset_configs(
        dict(type='RepeatDataset', times=3, dataset=train), val)
    assert (report.num_train, report.num_held) == (22, 2)
    assert train['pseudo_seg_map_path'] == 'not_made_yet'  # not modified
    with pytest.raises(ValueError, match="class 'box': 11 training images"):
        check_dataset_configs(train, val, min_images=20)
