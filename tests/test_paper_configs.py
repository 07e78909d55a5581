"""The paper-setting pipelines whose data are not on this machine, STC
(a simple-image folder plus VOC train_aug) and the proposal baseline (HCP
on VOC), on tiny fixtures in the same on-disk formats: every stage's
config as the pipeline builds it, with a training step where it trains."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from PIL import Image
from test_configs import _no_pretrained, make_voc

import mmwsss  # noqa: F401
from mmwsss.registry import DATASETS, MODELS
from mmwsss.stages import ordered_specs
from mmwsss.stages.base import StageContext
from mmwsss.stages.pipeline import build_stage, pipeline_variables
from mmwsss.utils.io import write_grey_map, write_label_png
from conftest import REPO

VOC_PIPELINE = osp.join(
    REPO, 'configs', 'stc',
    'stc-largefov_vgg16-d8_1xb20-3x6k_voc12aug-321x321.py')
HCP_PIPELINE = osp.join(
    REPO, 'configs', 'hcp',
    'hcp-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py')


def make_simple_folder(root):
    """A Flickr-Clean-like folder: two photos with one VOC tag each."""
    folder = root / 'flickr_clean'
    (folder / 'images').mkdir(parents=True)
    (folder / 'labels.txt').write_text('web_1 dog\nweb_2 cat\n')
    for stem in ('web_1', 'web_2'):
        Image.fromarray(np.full((40, 50, 3), 90, np.uint8)).save(
            folder / 'images' / f'{stem}.jpg')
    return str(folder)


def _maps(folder, stems, shape, write):
    os.makedirs(folder, exist_ok=True)
    for stem in stems:
        write(osp.join(folder, f'{stem}.png'), shape)
    return str(folder)


def _half_saliency(path, shape):
    saliency = np.zeros(shape, np.float32)
    saliency[:, :shape[1] // 2] = 1.0
    write_grey_map(path, saliency)


def _half_mask(label):
    def write(path, shape):
        mask = np.zeros(shape, np.uint8)
        mask[:, :shape[1] // 2] = label
        write_label_png(path, mask, [[0, 0, 0]])
    return write


@pytest.fixture
def voc_stc(tmp_path, init_scope):
    """The VOC STC pipeline's stage configs on the fixtures, with the
    inputs each stage would get from the ones before it."""
    voc = make_voc(tmp_path)
    simple = make_simple_folder(tmp_path)
    (tmp_path / 'simple.txt').write_text('web_1\n')
    inputs = dict(
        saliency=_maps(tmp_path / 'sal', ['web_1', 'web_2'], (40, 50),
                       _half_saliency),
        simple=str(tmp_path / 'simple.txt'),
        masks=_maps(tmp_path / 'voc_masks',
                    [n[:-4] for n in os.listdir(f'{voc}/JPEGImages')],
                    (40, 50), _half_mask(12)),
        simple_masks=_maps(tmp_path / 'web_masks', ['web_1'], (40, 50),
                           _half_mask(12)))
    inputs['checkpoint'] = inputs['init'] = ''
    cfg = Config.fromfile(VOC_PIPELINE)
    cfg.simple_root = simple

    def stage_config(name):
        return _stage_config(cfg, VOC_PIPELINE, name, inputs, tmp_path), voc

    return stage_config


def _stage_config(cfg, pipeline_path, name, inputs, tmp_path):
    """A stage's config as the pipeline would load it."""
    stage = build_stage(name, dict(ordered_specs(cfg.stages))[name])
    ctx = StageContext(
        name=name, work_dir=str(tmp_path / 'work'),
        stage_dir=str(tmp_path / 'work' / name),
        config_dir=osp.dirname(pipeline_path),
        variables=pipeline_variables(cfg), inputs=inputs)
    stage_cfg = stage.load_config(ctx)
    stage_cfg.load_from = None
    return stage_cfg


def _train_step(cfg, dataset, loss='decode.loss_soft_ce'):
    model = MODELS.build(_no_pretrained(cfg.model.to_dict()))
    batch = pseudo_collate([dataset[i] for i in range(len(dataset))])
    data = model.data_preprocessor(batch, True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert torch.isfinite(losses[loss])


def _voc(dataset_cfg, voc):
    return dict(dataset_cfg, data_root=voc)


def test_voc_stc_simple_stages_read_the_folder(voc_stc):
    """Saliency, split, I- and E-DCNN read the simple-image folder; I-DCNN
    trains on the saliency of the listed simple images only."""
    for name in ('saliency', 'split', 'i_labels', 'e_simple_labels'):
        cfg, _ = voc_stc(name)
        dataset = DATASETS.build(cfg.cam_dataloader.dataset)
        assert dataset.metainfo['classes'][12] == 'dog'
        expected = 2 if name in ('saliency', 'split') else 1
        assert len(dataset) == expected, name
    cfg, _ = voc_stc('i_dcnn')
    train = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(train) == 1 and train.get_data_info(0)['img_labels'] == [12]
    _train_step(cfg, train)


def test_voc_stc_p_dcnn_trains_on_voc_and_the_simple_images(voc_stc):
    """P-DCNN: VOC train_aug with E-DCNN's masks plus the simple images
    with theirs, in one ConcatDataset; val stays VOC val."""
    cfg, voc = voc_stc('p_dcnn')
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.datasets[0].data_root = voc
    train = DATASETS.build(dataset_cfg)
    assert len(train) == 3  # two VOC images, one simple image
    paths = [train.get_data_info(i)['seg_map_path'] for i in range(3)]
    assert 'voc_masks' in paths[0] and 'web_masks' in paths[2]
    _train_step(cfg, train)
    cfg, voc = voc_stc('test')
    val = DATASETS.build(_voc(cfg.test_dataloader.dataset, voc))
    assert len(val) == 2


def test_voc_hcp_stages_on_tiny_fixtures(tmp_path, init_scope):
    """HCP on VOC: proposals of train_aug and val, the VGG16 HCP
    classifier's training step on them, its scoring pipeline, and the
    LargeFOV segmentor trained on soft localization maps."""
    from mmwsss.proposals import make_proposals
    from mmwsss.utils.io import save_soft_map
    voc = make_voc(tmp_path)
    cfg = Config.fromfile(HCP_PIPELINE)
    proposals = str(tmp_path / 'proposals')
    inputs = dict(proposals=proposals, checkpoint='', scores='',
                  maps=str(tmp_path / 'maps'))
    search = _stage_config(cfg, HCP_PIPELINE, 'proposals', inputs, tmp_path)
    for key in ('cam_dataloader', 'val_dataloader'):
        dataset = DATASETS.build(_voc(search[key].dataset, voc))
        tally = make_proposals(dataset, proposals, search.get('proposals'))
        assert tally['total'] == 2  # val lists the train images here
    classifier = _stage_config(cfg, HCP_PIPELINE, 'classifier', inputs,
                               tmp_path)
    train = DATASETS.build(_voc(classifier.train_dataloader.dataset, voc))
    assert train[0]['data_samples'].proposals.shape[1] == 4
    _train_step(classifier, train, loss='loss_cls')
    scoring = _stage_config(cfg, HCP_PIPELINE, 'proposal_scores', inputs,
                            tmp_path)
    images = DATASETS.build(_voc(scoring.cam_dataloader.dataset, voc))
    assert len(images[1]['data_samples'].proposal_index) > 1
    os.makedirs(inputs['maps'])
    for stem in ('2007_000032', '2007_000039'):
        probs = np.full((2, 40, 50), 0.5, np.float32)
        save_soft_map(osp.join(inputs['maps'], f'{stem}.npz'), [0, 12],
                      probs)
    seg = _stage_config(cfg, HCP_PIPELINE, 'segmentation', inputs, tmp_path)
    train = DATASETS.build(_voc(seg.train_dataloader.dataset, voc))
    assert 'soft_map_path' in train.get_data_info(0)
    _train_step(seg, train)
