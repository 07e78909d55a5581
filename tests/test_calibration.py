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
    # 7 x 5 thresholds, each with both contested rules; one class per
    # image: the rules tie and the a-priori one stays
    assert chosen['images'] == 4 and chosen['searched'] == 70
    assert chosen['settings']['contested'] == 'cam'
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
                                      cam_threshold=0.1, contested='cam')


def test_the_defaults_are_the_mask_step_defaults():
    import inspect

    from mmwsss.pseudo_labels.masks import (PSEUDO_LABEL_DEFAULTS,
                                            make_pseudo_labels)
    params = inspect.signature(make_pseudo_labels).parameters
    assert {k: params[k].default for k in PSEUDO_LABEL_DEFAULTS} == \
        PSEUDO_LABEL_DEFAULTS


def test_the_labelled_images_are_drawn_as_often_as_the_rest():
    """An epoch keeps the dataset's length; half of it are pixel-labelled
    images; without them the sampler is MMEngine's own."""
    from mmengine.dataset import DefaultSampler

    from mmwsss.datasets import PixelBalancedSampler

    class Images:
        def __init__(self, labelled):
            self.infos = [dict(pixel_labelled=i in labelled)
                          for i in range(30)]

        def __len__(self):
            return len(self.infos)

        def get_data_info(self, index):
            return self.infos[index]

    sampler = PixelBalancedSampler(Images({0, 1, 2}), seed=3)
    sampler.set_epoch(1)
    drawn = list(sampler)
    assert len(drawn) == 30
    assert sum(i < 3 for i in drawn) == 15
    assert len(set(i for i in drawn if i >= 3)) == 15  # without repeats
    assert drawn == list(sampler)  # seed + epoch decide
    plain = DefaultSampler(Images(set()), seed=3)
    assert list(PixelBalancedSampler(Images(set()), seed=3)) == list(plain)


def test_training_loaders_with_a_pixel_subset_get_the_sampler(tmp_path):
    from mmengine.config import Config

    from mmwsss.apis import prepare_config
    dataset = dict(type='SyntheticWSSSDataset', pseudo_seg_map_path='p',
                   pixel_labels=dict(ann_file='x.txt'))
    loader = dict(sampler=dict(type='DefaultSampler', shuffle=True),
                  dataset=dataset)
    cfg = prepare_config(Config(dict(train_dataloader=loader)))
    assert cfg.train_dataloader.sampler.type == 'PixelBalancedSampler'
    for other in (dict(dataset, pseudo_seg_map_path=None),  # a classifier
                  dict(dataset, pixel_labels=None),  # tags only
                  dict(dataset, pixel_labels=dict(ann_file='x.txt',
                                                  balance=False))):
        cfg = prepare_config(Config(dict(train_dataloader=dict(
            loader, dataset=other))))
        assert cfg.train_dataloader.sampler.type == 'DefaultSampler'
    own = dict(type='ImageLabelFolderDataset', data_root=str(tmp_path),
               pseudo_seg_map_path='p')  # pixel_labels='auto'
    cfg = prepare_config(Config(dict(train_dataloader=dict(loader,
                                                           dataset=own))))
    assert cfg.train_dataloader.sampler.type == 'DefaultSampler'
    (tmp_path / 'masks').mkdir()
    cfg = prepare_config(Config(dict(train_dataloader=dict(loader,
                                                           dataset=own))))
    assert cfg.train_dataloader.sampler.type == 'PixelBalancedSampler'
