"""Choosing the pseudo-mask settings on the pixel-labelled images (issue
23): the grid, the tie rule, the subset's share of training samples."""
import numpy as np
import pytest


def _cues(tmp_path, count=4):
    """Saliency maps whose object (a square) sits above 0.55 and whose
    clutter reaches 0.45: the a-priori 0.3 labels the clutter too."""
    from PIL import Image

    from mmwsss.utils.io import save_cam_file, write_grey_map
    infos, truths = [], {}
    (tmp_path / 'sal').mkdir()
    (tmp_path / 'cams').mkdir()
    for index in range(count):
        stem = f'img{index}'
        path = tmp_path / f'{stem}.png'
        Image.fromarray(np.zeros((32, 40, 3), np.uint8)).save(path)
        saliency = np.zeros((32, 40), np.float32)
        saliency[:, 30:] = 0.45  # clutter
        saliency[8:24, 8:24] = 0.9  # the object
        write_grey_map(str(tmp_path / 'sal' / f'{stem}.png'), saliency)
        cams = np.zeros((1, 32, 40), np.float32)
        cams[0, 4:28, 4:40] = 0.5  # the CAM claims object and clutter
        save_cam_file(str(tmp_path / 'cams' / f'{stem}.npz'), cams, [1])
        truth = np.zeros((32, 40), np.uint8)
        truth[8:24, 8:24] = 1
        truths[str(path)] = truth
        infos.append(dict(img_path=str(path), img_labels=[1]))
    return infos, truths


def test_thresholds_are_chosen_on_the_labelled_images(tmp_path):
    from mmwsss.pseudo_labels.calibration import calibrate_pseudo_labels
    from mmwsss.pseudo_labels.masks import PSEUDO_LABEL_DEFAULTS
    infos, truths = _cues(tmp_path)
    chosen = calibrate_pseudo_labels(
        infos, lambda info: truths[info['img_path']], 'cam_saliency', 2,
        PSEUDO_LABEL_DEFAULTS, cam_dir=str(tmp_path / 'cams'),
        saliency_dir=str(tmp_path / 'sal'))
    assert chosen['settings']['saliency_threshold'] == 0.5
    # the clutter goes from a wrong class to ignored
    assert chosen['chosen']['precision'] == pytest.approx(100.0)
    assert chosen['default']['precision'] < 80
    assert chosen['chosen']['mIoU'] > chosen['default']['mIoU'] + 10
    assert chosen['images'] == 4 and chosen['searched'] == 35
    # a setting the config names is the method's: it stays
    kept = calibrate_pseudo_labels(
        infos, lambda info: truths[info['img_path']], 'cam_saliency', 2,
        PSEUDO_LABEL_DEFAULTS, names=['cam_threshold'],
        cam_dir=str(tmp_path / 'cams'), saliency_dir=str(tmp_path / 'sal'))
    assert set(kept['settings']) == {'cam_threshold'}


def test_the_defaults_win_a_tie(tmp_path):
    from mmwsss.pseudo_labels.calibration import calibrate_pseudo_labels
    from mmwsss.pseudo_labels.masks import PSEUDO_LABEL_DEFAULTS
    infos, _ = _cues(tmp_path, count=1)
    # nothing to tell settings apart: an all-ignored truth
    chosen = calibrate_pseudo_labels(
        infos, lambda info: np.full((32, 40), 255, np.uint8),
        'cam_saliency', 2, PSEUDO_LABEL_DEFAULTS,
        cam_dir=str(tmp_path / 'cams'), saliency_dir=str(tmp_path / 'sal'))
    assert chosen['settings'] == dict(saliency_threshold=0.3,
                                      cam_threshold=0.1)


def test_the_defaults_are_the_mask_step_defaults():
    import inspect

    from mmwsss.pseudo_labels.masks import (PSEUDO_LABEL_DEFAULTS,
                                            make_pseudo_labels)
    params = inspect.signature(make_pseudo_labels).parameters
    assert {k: params[k].default for k in PSEUDO_LABEL_DEFAULTS} == \
        PSEUDO_LABEL_DEFAULTS


def test_the_labelled_images_are_drawn_as_often_as_the_rest():
    from mmwsss.datasets.pixel_labels import balanced
    infos = [dict(img_path=f'{i}.jpg', pixel_labelled=i < 3)
             for i in range(30)]
    drawn = balanced(infos)
    labelled = [i for i in drawn if i['pixel_labelled']]
    assert len(labelled) == 27 and len(drawn) - len(labelled) == 27
    assert balanced(infos[:3]) == infos[:3]  # all labelled: nothing to do
    assert balanced(infos[3:]) == infos[3:]  # none labelled


def test_a_training_dataset_balances_its_subset(init_scope, synthetic_root,
                                                tmp_path):
    """Only a dataset that serves targets to train on repeats its subset;
    the images a stage labels are each listed once."""
    from mmwsss.datasets import read_split
    from mmwsss.registry import DATASETS
    ids = read_split(f'{synthetic_root}/ImageSets/Segmentation/train.txt')
    (tmp_path / 'subset.txt').write_text('\n'.join(ids[:4]) + '\n')
    (tmp_path / 'pseudo').mkdir()
    base = dict(type='SyntheticWSSSDataset', data_root=synthetic_root,
                num_train=24, num_val=8, image_size=64, pipeline=[],
                ann_file='ImageSets/Segmentation/train.txt',
                data_prefix=dict(img_path='JPEGImages',
                                 seg_map_path='SegmentationClass'),
                pixel_labels=dict(ann_file=str(tmp_path / 'subset.txt')))
    for stem in ids[4:]:
        (tmp_path / 'pseudo' / f'{stem}.png').write_bytes(b'')
    assert len(DATASETS.build(base)) == 24
    trained = DATASETS.build(dict(base, pseudo_seg_map_path=str(
        tmp_path / 'pseudo')))
    assert len(trained) == 20 + 4 * 5
    unbalanced = DATASETS.build(dict(
        base, pseudo_seg_map_path=str(tmp_path / 'pseudo'),
        pixel_labels=dict(ann_file=str(tmp_path / 'subset.txt'),
                          balance=False)))
    assert len(unbalanced) == 24
