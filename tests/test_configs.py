"""Every shipped config loads, builds its model, and (for VOC / COCO, which
are not on this machine) builds its datasets on tiny fixtures in the same
on-disk format and runs a training step."""
import glob
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from PIL import Image

import mmwsss  # noqa: F401
from mmwsss.apis import dataset_num_classes, model_num_classes, prepare_config
from mmwsss.registry import DATASETS, MODELS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                         recursive=True) if '_base_' not in p)


def _no_pretrained(node):
    """Drop pretrained-weight loading: weights are not on this machine."""
    if isinstance(node, dict):
        if node.get('type') == 'Pretrained':
            return None
        return {k: _no_pretrained(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_no_pretrained(v) for v in node]
    return node


def _own_data_folder(cfg, root):
    """Own-data configs take their classes from DATA/labels.txt: give them
    a folder with two tags (3 classes with background)."""
    os.makedirs(osp.join(root, 'images'), exist_ok=True)
    with open(osp.join(root, 'labels.txt'), 'w') as handle:
        handle.write('a cat\nb dog cat\n')
    for stem in 'ab':
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(
            osp.join(root, 'images', f'{stem}.jpg'))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'cam_dataloader'):
        cfg[key].dataset.data_root = str(root)


def test_configs_use_one_template_syntax():
    """Base variables are referenced as ``_base_.x``; ``{{...}}`` (MMEngine's
    text substitution) would sit beside the pipeline's ``{placeholder}``s
    as a second syntax."""
    every = glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    offenders = [osp.relpath(p, REPO) for p in every if '{{' in open(p).read()]
    assert not offenders


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_config_loads_and_builds(path, tmp_path):
    cfg = Config.fromfile(path)
    if cfg.get('stages'):
        _check_pipeline(cfg, path)
        _load_every_stage_config(cfg, path, tmp_path)
        if cfg.get('pixel_subset_stages'):  # the shape with pixel masks
            from mmwsss.stages.variants import with_subset_stages
            merged = with_subset_stages(cfg)
            _check_pipeline(merged, path)
            _load_every_stage_config(merged, path, tmp_path,
                                     set(cfg.pixel_subset_stages))
        return
    assert cfg.default_scope == 'mmseg'
    assert 'mmwsss' in cfg.custom_imports['imports']
    train = cfg.train_dataloader.dataset
    if cfg.model.type == 'AffinityNet':  # pixel pairs: no class count
        init_default_scope('mmseg')
        model = MODELS.build(_no_pretrained(cfg.model.to_dict()))
        assert model.radius == 5 and cfg.val_dataloader is None
        assert 'pseudo_seg_map_path' in train
        return
    if train.type == 'ImageLabelFolderDataset' and \
            'classes' not in train.get('metainfo', {}):
        assert model_num_classes(cfg.model) is None  # from labels.txt
        _own_data_folder(cfg, tmp_path)
        prepare_config(cfg, path)
        assert model_num_classes(cfg.model) == 3
    n_model = model_num_classes(cfg.model)
    for key in ('train_dataloader', 'val_dataloader', 'cam_dataloader'):
        assert dataset_num_classes(cfg[key].dataset) == n_model, key
    init_default_scope('mmseg')
    model = MODELS.build(_no_pretrained(cfg.model.to_dict()))
    assert model.num_classes == n_model


def _check_pipeline(cfg, path):
    """A multi-stage config: every stage builds, every stage config exists
    (each is also tested on its own above), inputs name earlier stages."""
    from mmwsss.stages import ordered_specs
    from mmwsss.stages.pipeline import build_stage, pipeline_variables
    specs = ordered_specs(cfg.stages)
    names = [name for name, _ in specs]
    variables = pipeline_variables(cfg)
    for name, spec in specs:
        stage = build_stage(name, spec)
        config = stage.config.format(**variables)
        assert osp.isfile(osp.join(osp.dirname(path), config)), (name,
                                                                 config)
        for source in stage.inputs.values():
            producer = source.split('.')[0]
            if producer in names:
                assert names.index(producer) < names.index(name)
    trains = [n for n, s in specs if s['type'] == 'TrainStage']
    assert len(trains) >= 2  # a classifier or first network, and more


def _load_every_stage_config(cfg, path, tmp_path, names=None):
    """Every stage's config with the pipeline's options for every stage
    (``common_cfg_options``) and its own, as the stage loads it when it
    starts: an option the stage config cannot take (a data root for the
    val loader of a stage without validation) fails here, not hours into
    a run.  Own-data pipelines get a tagged folder as ``data_root``.
    ``names``: only those stages."""
    from mmwsss.stages import StageContext, ordered_specs
    from mmwsss.stages.pipeline import build_stage, pipeline_variables
    variables = pipeline_variables(cfg)
    if 'custom' in osp.basename(path):
        data = tmp_path / 'data'
        _own_data_folder(Config(dict(
            train_dataloader=dict(dataset={}), val_dataloader=dict(
                dataset={}), test_dataloader=dict(dataset={}),
            cam_dataloader=dict(dataset={}))), str(data))
        variables['data_root'] = str(data)
    for name, spec in ordered_specs(cfg.stages):
        if names is not None and name not in names:
            continue
        stage = build_stage(name, spec)
        ctx = StageContext(
            name=name, work_dir=str(tmp_path), stage_dir=str(tmp_path / name),
            config_dir=osp.dirname(path),
            common_cfg_options=cfg.get('common_cfg_options'),
            inputs={key: str(tmp_path / key) for key in stage.inputs},
            variables=variables)
        stage_cfg = stage.load_config(ctx)
        if 'data_root' in variables and 'custom' in osp.basename(path):
            assert stage_cfg.train_dataloader.dataset.data_root == \
                variables['data_root'], name


def _palette_png(path, mask):
    png = Image.fromarray(mask.astype(np.uint8), mode='P')
    png.putpalette([0] * 768)
    png.save(path)


def make_voc(root):
    voc = root / 'VOCdevkit' / 'VOC2012'
    for sub in ('JPEGImages', 'SegmentationClassAug', 'Annotations',
                'ImageSets/Segmentation'):
        (voc / sub).mkdir(parents=True)
    ids = ['2007_000032', '2007_000039']
    for i, name in enumerate(ids):
        Image.fromarray(np.full((40, 50, 3), 60 * i, np.uint8)).save(
            voc / 'JPEGImages' / f'{name}.jpg')
        mask = np.zeros((40, 50), np.uint8)
        mask[5:20, 5:20] = 12 + i * 3  # dog, person
        _palette_png(voc / 'SegmentationClassAug' / f'{name}.png', mask)
    for split in ('train_aug', 'val'):
        (voc / 'ImageSets' / 'Segmentation' / f'{split}.txt').write_text(
            '\n'.join(ids) + '\n')
    return str(voc)


def make_coco(root):
    coco = root / 'coco'
    for sub in ('JPEGImages/train2014', 'JPEGImages/val2014',
                'SegmentationClass/train2014', 'SegmentationClass/val2014',
                'annotations', 'ImageSets'):
        (coco / sub).mkdir(parents=True)
    for split in ('train2014', 'val2014'):
        names = [f'COCO_{split}_00000000000{i}' for i in (1, 2)]
        for name in names:
            Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(
                coco / 'JPEGImages' / split / f'{name}.jpg')
            _palette_png(coco / 'SegmentationClass' / split / f'{name}.png',
                         np.zeros((30, 40), np.uint8))
        (coco / 'ImageSets' / f'{split[:-4]}.txt').write_text(
            '\n'.join(names) + '\n')
        json.dump(dict(
            images=[dict(id=i, file_name=f'{n}.jpg')
                    for i, n in enumerate(names)],
            categories=[dict(id=1, name='person'), dict(id=18, name='dog')],
            annotations=[dict(id=7, image_id=0, category_id=18)]),
            open(coco / 'annotations' / f'instances_{split}.json', 'w'))
    return str(coco)


@pytest.mark.parametrize('config,maker', [
    ('configs/cam/cam_r50-d16_1xb16-5e_voc12aug-512x512.py', make_voc),
    ('configs/ae/ae_vgg16-d8_1xb16-5-5-5-5e_voc12aug-512x512.py', make_voc),
    ('configs/cam/cam_r50-d16_1xb16-5e_coco2014-512x512.py', make_coco),
    ('configs/ae/ae_vgg16-d8_1xb16-2-2-2-2e_coco2014-512x512.py', make_coco),
])
def test_dataset_configs_on_tiny_fixtures(config, maker, tmp_path):
    cfg = Config.fromfile(osp.join(REPO, config))
    root = maker(tmp_path)
    init_default_scope('mmseg')
    datasets = {}
    for key in ('train_dataloader', 'val_dataloader', 'cam_dataloader'):
        dataset_cfg = cfg[key].dataset.copy()
        dataset_cfg.update(data_root=root,
                           label_cache_dir=str(tmp_path / 'cache'))
        datasets[key] = DATASETS.build(dataset_cfg)
        assert len(datasets[key]) == 2
    train = datasets['train_dataloader']
    labels = [train.get_data_info(i)['img_labels'] for i in range(2)]
    _attach_empty_erasing_masks(train, labels)
    if 'coco' in config:
        assert labels == [[17], []]  # dog = 17th COCO class; 2nd: no objects
    else:
        assert labels == [[12], [15]]  # dog, person
    # one CAM-classifier training step on the real training pipeline
    model = MODELS.build(_no_pretrained(cfg.model.to_dict()))
    model.data_preprocessor.size = (64, 64)
    batch = pseudo_collate([train[0], train[1]])
    batch['inputs'] = [torch.nn.functional.interpolate(
        x[None].float(), size=(64, 64))[0].byte() for x in batch['inputs']]
    data = model.data_preprocessor(batch, True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert torch.isfinite(losses['loss_cls'])


def _attach_empty_erasing_masks(dataset, labels):
    """What AdversarialErasingLoop does before its first step."""
    from mmwsss.datasets import ErasingMaskStore
    from mmwsss.datasets.transforms import EraseMinedRegions
    store = ErasingMaskStore(labels, grid=8, max_steps=1)
    for transform in dataset.pipeline.transforms:
        if isinstance(transform, EraseMinedRegions):
            transform.store = store


def _pseudo_masks(root, split_dir):
    """Pseudo masks as a pipeline stage writes them, for every image."""
    out = osp.join(str(root), 'stage_masks')
    import os
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(split_dir):
        stem = osp.splitext(name)[0]
        shape = Image.open(osp.join(split_dir, name)).size[::-1]
        mask = np.full(shape, 255, np.uint8)
        mask[:shape[0] // 2] = 0
        _palette_png(osp.join(out, stem + '.png'), mask)
    return out


@pytest.mark.parametrize('config,maker,img_dir', [
    ('configs/psl/psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py',
     make_voc, 'JPEGImages'),
    ('configs/psl/psl-largefov_vgg16-d8_1xb20-45k_coco2014-321x321.py',
     make_coco, 'JPEGImages/train2014'),
])
def test_psl_configs_train_on_pseudo_masks(config, maker, img_dir, tmp_path):
    """The VOC / COCO PSL segmentors read stage masks, not ground truth, and
    take a training step on their real training pipeline."""
    cfg = Config.fromfile(osp.join(REPO, config))
    root = maker(tmp_path)
    masks = _pseudo_masks(tmp_path, osp.join(root, img_dir))
    init_default_scope('mmseg')
    dataset_cfg = cfg.train_dataloader.dataset.copy()
    dataset_cfg.update(data_root=root, pseudo_seg_map_path=masks,
                       label_cache_dir=str(tmp_path / 'cache'))
    train = DATASETS.build(dataset_cfg)
    info = train.get_data_info(0)
    assert info['seg_map_path'].startswith(masks)
    assert info['img_labels']  # labels still come from the dataset
    model = MODELS.build(_no_pretrained(cfg.model.to_dict()))
    batch = pseudo_collate([train[0], train[1]])  # padded to the crop size
    data = model.data_preprocessor(batch, True)
    losses = model.loss(data['inputs'], data['data_samples'])
    for key in ('decode.loss_ce', 'decode.loss_cls',
                'decode.loss_online_ce'):
        assert torch.isfinite(losses[key]), key


def test_semi_weak_voc_pipeline_trains_the_1464_on_true_masks(tmp_path):
    """The semi-weak VOC pipeline (configs/semi/ae-psl-largefov-pixel1464_*)
    on the VOC fixture: the images of `train` take their
    SegmentationClassAug mask, the other train_aug images their pseudo
    mask, and a PSL step trains on both."""
    from mmwsss.stages.base import StageContext
    from mmwsss.stages.pipeline import build_stage, pipeline_variables
    path = osp.join(
        REPO, 'configs', 'semi',
        'ae-psl-largefov-pixel1464_vgg16-d8_1xb20-6k_voc12aug-321x321.py')
    cfg = Config.fromfile(path)
    root = make_voc(tmp_path)
    split = osp.join(root, 'ImageSets', 'Segmentation')
    with open(osp.join(split, 'train.txt'), 'w') as handle:
        handle.write('2007_000032\n')
    masks = _pseudo_masks(tmp_path, osp.join(root, 'JPEGImages'))
    stage = build_stage('psl', cfg.stages.psl)
    ctx = StageContext(name='psl', work_dir=str(tmp_path),
                       stage_dir=str(tmp_path / 'psl'),
                       config_dir=osp.dirname(path),
                       common_cfg_options=cfg.common_cfg_options,
                       inputs=dict(masks=masks),
                       variables=pipeline_variables(cfg))
    psl = stage.load_config(ctx)
    init_default_scope('mmseg')
    train = DATASETS.build(dict(psl.train_dataloader.dataset, data_root=root,
                                label_cache_dir=str(tmp_path / 'cache')))
    infos = {osp.basename(i['img_path']): i for i in
             (train.get_data_info(n) for n in range(len(train)))}
    assert infos['2007_000032.jpg']['pixel_labelled']
    assert 'SegmentationClassAug' in infos['2007_000032.jpg']['seg_map_path']
    assert infos['2007_000039.jpg']['seg_map_path'].startswith(masks)
    model = MODELS.build(_no_pretrained(psl.model.to_dict()))
    data = model.data_preprocessor(pseudo_collate([train[0], train[1]]), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert torch.isfinite(losses['decode.loss_ce'])


TINY_TEMPLATE = 'ae-psl_tinyr18-d8_1xb16-12e_custom-long96.py'


def _folder_with_a_mask(tmp_path):
    """12 tagged photos (dog, cat), ``p0`` with its mask in the user's own
    numbering (masks/classes.txt: background, dog, cat)."""
    data = tmp_path / 'DATA'
    (data / 'images').mkdir(parents=True)
    (data / 'masks').mkdir()
    (data / 'labels.txt').write_text(
        ''.join(f'p{i} {"cat" if i % 2 else "dog"}\n' for i in range(12)))
    for i in range(12):
        Image.fromarray(np.full((16, 20, 3), 10 * i, np.uint8)).save(
            data / 'images' / f'p{i}.jpg')
    (data / 'masks' / 'classes.txt').write_text('background\ndog\ncat\n')
    mask = np.zeros((16, 20), np.uint8)
    mask[4:12, 4:12] = 1  # dog in the user's numbering
    _palette_png(data / 'masks' / 'p0.png', mask)
    return data


@pytest.mark.parametrize('template', [
    TINY_TEMPLATE, 'ae-psl_mbv2-d32_1xb16-20e_custom-long320.py'])
def test_own_data_template_with_masks_adds_their_teacher(template, tmp_path):
    """The own-data templates on a folder with masks/: the run adds the
    masks' teacher (masks-only training, its labels over the cue masks or
    alone, as a teacher trained on half of the masks chooses) and PSL
    trains on the teacher's masks; without masks/ the same config
    keeps the tags-only stages.  Decided from the data, before anything
    runs."""
    from mmwsss.stages.pipeline import PipelineRun
    path = osp.join(REPO, 'configs', 'custom', template)
    data = _folder_with_a_mask(tmp_path)

    def plan(work):
        cfg = Config.fromfile(path)
        cfg.data_root = str(data)
        cfg.work_dir = str(tmp_path / work)
        prepare_config(cfg, path)
        return PipelineRun(cfg, 'none', None, False)

    with_masks = plan('with')
    assert with_masks.pixel_subset == 1
    specs = dict(with_masks.specs)
    assert specs['psl']['inputs']['masks'] == 'teacher_labels.labels'
    assert specs['teacher_labels']['inputs'] == dict(
        checkpoint='masks_only.checkpoint', under='pseudo_labels.labels',
        rule='teacher_rule.rule')
    assert specs['teacher_rule']['inputs']['checkpoint'] == \
        'half_teacher.checkpoint'
    assert 'score_teacher_labels' not in specs  # no ground truth here
    names = with_masks.names
    assert names.index('half_teacher') < names.index('teacher_rule') < \
        names.index('teacher_labels') < names.index('psl')
    assert names.index('masks_only') < names.index('teacher_labels')
    shutil.rmtree(data / 'masks')
    tags_only = plan('without')
    assert tags_only.pixel_subset == 0
    assert 'teacher_labels' not in tags_only.names
    assert dict(tags_only.specs)['psl']['inputs']['masks'] == \
        'pseudo_labels.labels'


def test_own_data_template_takes_a_masks_folder(tmp_path):
    """configs/custom/ae-psl_tinyr18-d8_1xb16-12e_custom-long96.py on a
    tagged folder with a few masks (masks/ + classes.txt, values in the
    user's own order): the PSL stage trains those images on them, remapped
    to the tag classes, and draws them as often as the others."""
    from mmwsss.stages.base import StageContext
    from mmwsss.stages.pipeline import build_stage
    path = osp.join(REPO, 'configs', 'custom', TINY_TEMPLATE)
    cfg = Config.fromfile(path)
    data = _folder_with_a_mask(tmp_path)
    masks = _pseudo_masks(tmp_path, str(data / 'images'))
    os.remove(osp.join(masks, 'p0.png'))  # never needed for p0
    stage = build_stage('psl', cfg.stages.psl)
    ctx = StageContext(
        name='psl', work_dir=str(tmp_path), stage_dir=str(tmp_path / 'psl'),
        config_dir=osp.dirname(path),
        inputs=dict(masks=masks, classifier_checkpoint='c.pth'),
        common_cfg_options=cfg.get('common_cfg_options') or {},
        variables=dict(classifier=cfg.classifier, segmentor=cfg.segmentor,
                       data_root=str(data)))
    psl = stage.load_config(ctx)
    prepare_config(psl, path)
    init_default_scope('mmseg')
    train = DATASETS.build(dict(psl.train_dataloader.dataset,
                                data_root=str(data)))
    assert train.metainfo['classes'] == ('background', 'cat', 'dog')
    labelled = [i for i in range(len(train))
                if train.get_data_info(i)['pixel_labelled']]
    assert len(labelled) == 1  # p0, drawn as often as the 10 others
    assert psl.train_dataloader.sampler.type == 'PixelBalancedSampler'
    target = train[labelled[0]]['data_samples'].gt_sem_seg.data
    assert set(target.unique().tolist()) <= {0, 2}  # dog is class 2 here
    assert (target == 2).any()
