"""The stage pipeline: ordering and spec checks, input checks, markers,
skipping, fingerprints (a changed config or input is never silently kept),
the one-dataset rule, inheritable pipeline configs, and the synthetic
AE-PSL pipeline end to end (kill -9 + resume, one stage, two CPU ranks,
tools/test.py on its model, the stage report)."""
import filecmp
import json
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

from conftest import REPO, free_port, pipeline_options, run_tool
from helpers import DATALOADERS, masks_miou

PIPELINE = 'configs/ae-psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py'
CLASSIFIER = osp.join(REPO, 'configs', 'ae',
                      'ae_tinyr18-d8_1xb16-20-8-8e_synthetic-96x96.py')


# ------------------------------------------------------------ unit checks
def test_placeholders_fill_nested_values_and_reject_typos():
    from mmwsss.stages import fill_placeholders
    filled = fill_placeholders(
        {'a': '{masks}/x', 'b': ['{work_dir}', 3], 'c': {'d': 'plain'}},
        dict(masks='/m', work_dir='/w'))
    assert filled == {'a': '/m/x', 'b': ['/w', 3], 'c': {'d': 'plain'}}
    with pytest.raises(KeyError, match='mask'):
        fill_placeholders('{mask}', dict(masks='/m'))


def test_common_options_keep_dotted_keys_beside_nested_ones():
    """A template's ``'loader.dataset.data_root'`` and a user's
    ``common_cfg_options.loader.dataset.size=64`` both reach the stage."""
    from mmwsss.stages.base import merge_options
    cfg = Config(dict(loader=dict(dataset=dict(data_root='default',
                                               size=96, kind='x'))))
    merge_options(cfg, {'loader.dataset.data_root': '/mine',
                        'loader': dict(dataset=dict(size=64))})
    assert cfg.loader.dataset.to_dict() == dict(data_root='/mine', size=64,
                                                kind='x')


def test_stages_run_after_the_stages_they_read(init_scope):
    from mmwsss.stages import StageError, ordered_specs
    from mmwsss.stages.graph import check_specs
    stages = dict(
        score=dict(type='ScoreLabelsStage', config='x.py',
                   inputs=dict(labels='masks.labels')),
        saliency=dict(type='SaliencyStage', config='x.py'),
        masks=dict(type='PseudoLabelStage', config='x.py',
                   inputs=dict(saliency='saliency.maps')),
        dropped=None)
    assert [n for n, _ in ordered_specs(stages)] == [
        'saliency', 'masks', 'score']
    with pytest.raises(StageError, match='cycle'):
        ordered_specs(dict(
            a=dict(type='SaliencyStage', config='x', inputs=dict(m='b.o')),
            b=dict(type='SaliencyStage', config='x', inputs=dict(m='a.o'))))
    with pytest.raises(StageError, match="stage 'cams': unknown stage "
                       "type 'MakeCAMsStage'"):
        check_specs(ordered_specs(dict(cams=dict(type='MakeCAMsStage'))), {})
    with pytest.raises(StageError, match='dict keyed by stage name'):
        ordered_specs([dict(name='a', type='SaliencyStage')])


def test_bad_stage_arguments_are_named(init_scope):
    from mmwsss.stages import StageError
    from mmwsss.stages.pipeline import build_stage
    with pytest.raises(StageError, match="stage 'a'.*unexpected keyword"):
        build_stage('a', dict(type='TrainStage', config='x', epochs=3))


def test_child_pipelines_inherit_and_override_stages():
    voc = Config.fromfile(osp.join(
        REPO, 'configs',
        'ae-psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py'))
    coco = Config.fromfile(osp.join(
        REPO, 'configs',
        'ae-psl-largefov_vgg16-d8_1xb20-45k_coco2014-321x321.py'))
    r101 = Config.fromfile(osp.join(
        REPO, 'configs',
        'ae-psl-deeplabv3plus_r101-d8_1xb16-20k_voc12aug-512x512.py'))
    assert list(voc.stages) == list(coco.stages) == list(r101.stages)
    assert voc.stages.pseudo_labels.workers == 'auto'  # from the base
    assert voc.stages.pseudo_labels.mode == 'ae_saliency'  # from the base
    assert coco.classifier == \
        'ae/ae_vgg16-d8_1xb16-2-2-2-2e_coco2014-512x512.py'
    assert r101.classifier == voc.classifier
    assert r101.segmentor != voc.segmentor
    synthetic = Config.fromfile(osp.join(REPO, PIPELINE))
    assert synthetic.stages.test_crf is None  # dropped by the child
    assert synthetic.stages.pseudo_labels.workers == 1  # overridden
    assert synthetic.stages.pseudo_labels.mode == 'ae_saliency'


def _marker(stage_dir, outputs, files=None, run_id='r1'):
    os.makedirs(stage_dir, exist_ok=True)
    with open(osp.join(stage_dir, 'stage_done.json'), 'w') as handle:
        json.dump(dict(outputs=outputs, files=files or {}, run_id=run_id),
                  handle)


def test_missing_and_incomplete_inputs_name_stage_and_path(tmp_path):
    from mmwsss.stages import StageError
    from mmwsss.stages.pipeline import resolve_inputs
    work = str(tmp_path)
    names = ['pseudo_labels', 'psl']
    inputs = dict(masks='pseudo_labels.labels')
    with pytest.raises(StageError, match=r"stage 'psl': input 'masks' comes "
                       r"from stage 'pseudo_labels', which is not complete"):
        resolve_inputs('psl', inputs, work, names)
    _marker(osp.join(work, 'pseudo_labels'), dict(labels='labels'),
            dict(labels=3))
    with pytest.raises(StageError, match=r"input 'masks' is missing: .*"
                       r'pseudo_labels/labels does not exist'):
        resolve_inputs('psl', inputs, work, names)
    labels = tmp_path / 'pseudo_labels' / 'labels'
    labels.mkdir()
    for name in ('a.png', 'b.png'):
        (labels / name).write_bytes(b'x')
    with pytest.raises(StageError, match=r"input 'masks' is incomplete: .*"
                       r'holds 2 files, 3 when it was made'):
        resolve_inputs('psl', inputs, work, names)
    (labels / 'c.png').write_bytes(b'x')
    paths, identity = resolve_inputs('psl', inputs, work, names)
    assert paths == dict(masks=str(labels))
    assert identity == dict(masks='pseudo_labels:r1')
    with pytest.raises(StageError, match="has no output 'maps'"):
        resolve_inputs('psl', dict(m='pseudo_labels.maps'), work, names)
    with pytest.raises(StageError, match='/nowhere does not exist'):
        resolve_inputs('psl', dict(m='/nowhere'), work, names)


def _cheap_pipeline(tmp_path, root, config=CLASSIFIER):
    """Two cheap stages (spectral saliency, the pseudo masks of it): the
    generic mechanism without training."""
    opts = {f'{k}.dataset.{a}': v for k in DATALOADERS for a, v in (
        ('data_root', root), ('num_train', 24), ('num_val', 8),
        ('image_size', 64))}
    return Config(dict(
        work_dir=str(tmp_path / 'work'), common_cfg_options=opts,
        saliency_config=config,
        stages=dict(
            saliency=dict(type='SaliencyStage', config='{saliency_config}',
                          saliency=dict(type='SpectralResidualSaliency')),
            masks=dict(type='PseudoLabelStage', mode='cam_saliency',
                       config=config,
                       inputs=dict(saliency='saliency.maps',
                                   cams='/nowhere')))))


def test_complete_stages_are_skipped_and_one_stage_runs_alone(
        init_scope, synthetic_root, tmp_path):
    from mmwsss.stages import StageError, run_stages
    cfg = _cheap_pipeline(tmp_path, synthetic_root)
    with pytest.raises(StageError, match="stage 'masks'.*'cams'.*/nowhere"):
        run_stages(cfg)  # checked before anything runs
    marker = tmp_path / 'work' / 'saliency' / 'stage_done.json'
    assert not marker.exists()
    run_stages(cfg, only='saliency')
    done = json.loads(marker.read_text())
    assert done['outputs'] == dict(maps='maps') and done['files']['maps'] == 24
    assert done['tally']['written'] == 24
    stamp = marker.stat().st_mtime_ns
    with pytest.raises(StageError, match='/nowhere'):
        run_stages(cfg, only='masks')  # saliency untouched, masks checked
    assert marker.stat().st_mtime_ns == stamp
    with pytest.raises(StageError, match="no stage 'nope'"):
        run_stages(cfg, only='nope')


def test_a_changed_stage_is_never_silently_kept(init_scope, synthetic_root,
                                                tmp_path):
    """Editing a finished stage's resolved config (here: through the
    config it names) stops the run, naming the stage; --redo-changed
    redoes it and keeps the old folder aside."""
    from mmwsss.stages import StageError, run_stages
    config = tmp_path / 'classifier.py'
    shutil.copy(CLASSIFIER, config)
    text = config.read_text().replace("'../_base_/", f"'{REPO}/configs/"
                                      '_base_/')
    config.write_text(text)
    cfg = _cheap_pipeline(tmp_path, synthetic_root, str(config))
    del cfg.stages['masks']
    run_stages(cfg)
    run_stages(cfg)  # unchanged: skipped
    config.write_text(text + '\ncam_dataloader = dict(batch_size=3)\n')
    with pytest.raises(StageError, match=r"stage 'saliency'.*another "
                       r'config.*--redo-changed'):
        run_stages(cfg)
    markers = run_stages(cfg, redo_changed=True)
    assert markers['saliency']['tally']['written'] == 24
    assert [p for p in os.listdir(tmp_path / 'work')
            if p.startswith('saliency.stale-')]


def test_pixel_masks_add_the_pixel_subset_stages(init_scope,
                                                 synthetic_root, tmp_path):
    """A pipeline's ``pixel_subset_stages`` are merged over its stages
    only when the training images include pixel-labelled ones: the data
    decides (a config cannot know a user's folder), a merged spec keeps
    what it does not set, ``None`` drops a stage, and the merged shape is
    checked like any other."""
    from mmwsss.stages import StageError, check_overrides, run_stages
    from mmwsss.stages.variants import with_subset_stages
    spectral = dict(type='SpectralResidualSaliency')

    def pipeline(work, pixel_list=None):
        cfg = _cheap_pipeline(tmp_path, synthetic_root)
        cfg.work_dir = str(tmp_path / work)
        del cfg.stages['masks']
        cfg.stages['dropped'] = dict(type='SaliencyStage',
                                     config='{saliency_config}',
                                     saliency=spectral)
        cfg.pixel_subset_stages = dict(
            dropped=None,
            saliency=dict(cfg_options={'cam_dataloader.batch_size': 3}),
            fine=dict(type='SaliencyStage', config='{saliency_config}',
                      saliency=spectral))
        if pixel_list:
            for key in ('train_dataloader', 'cam_dataloader'):
                cfg.common_cfg_options[f'{key}.dataset.pixel_labels'] = \
                    dict(ann_file=pixel_list)
        return cfg

    merged = with_subset_stages(pipeline('w')).stages
    assert sorted(merged) == ['dropped', 'fine', 'saliency']
    assert merged.dropped is None
    assert merged.saliency.type == 'SaliencyStage'  # kept, option added
    assert merged.saliency.cfg_options == {'cam_dataloader.batch_size': 3}

    tags_only = run_stages(pipeline('tags'))
    assert sorted(tags_only) == ['dropped', 'saliency']
    listing = tmp_path / 'pixel.txt'
    ids = open(osp.join(synthetic_root, 'ImageSets', 'Segmentation',
                        'train.txt')).read().split()
    listing.write_text('\n'.join(ids[:2]) + '\n')
    with_masks = run_stages(pipeline('masks', str(listing)))
    assert sorted(with_masks) == ['fine', 'saliency']
    assert with_masks['fine']['tally']['written'] == 24
    # a stage that only the subset adds is set through its own key
    with pytest.raises(ValueError, match='pixel_subset_stages.fine.x'):
        check_overrides(pipeline('w'), {'stages.fine.x': 1}, 'p.py')
    cfg = pipeline('typo', str(listing))
    cfg.pixel_subset_stages.fine.inputs = dict(maps='saliency.mpas')
    with pytest.raises(StageError, match="'mpas'"):
        run_stages(cfg)


def test_a_stage_on_another_dataset_stops_the_run(init_scope,
                                                  synthetic_root, tmp_path):
    from mmwsss.stages import StageError, run_stages
    cfg = _cheap_pipeline(tmp_path, synthetic_root)
    cfg.stages['masks'] = dict(
        type='SaliencyStage', config=CLASSIFIER,
        saliency=dict(type='SpectralResidualSaliency'),
        cfg_options={'cam_dataloader.dataset.ann_file':
                     'ImageSets/Segmentation/val.txt'})
    with pytest.raises(StageError, match=r"stage 'masks' reads another "
                       r"dataset.*val.txt.*stage 'saliency' read.*train.txt"):
        run_stages(cfg)
    cfg.stages['masks']['other_dataset'] = True  # on purpose
    assert run_stages(cfg)['masks']['tally']['written'] == 8


# ------------------------------------------------- the synthetic pipeline
def _load_tool(name):
    """``tools/<name>.py`` as a module (the tools are scripts, not a
    package)."""
    import importlib.util
    tools = osp.join(REPO, 'tools')
    if tools not in sys.path:  # the tools import their sibling tool_setup
        sys.path.insert(0, tools)
    spec = importlib.util.spec_from_file_location(
        f'{name}_tool', osp.join(REPO, 'tools', name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _train(work_dir, options, *extra, wait=True, launcher=False):
    cmd = [sys.executable, 'tools/train.py', PIPELINE, '--work-dir',
           str(work_dir), *extra, '--cfg-options', *options]
    env = dict(os.environ)
    if launcher:
        cmd = [sys.executable, '-m', 'torch.distributed.run',
               '--nproc_per_node=2', f'--master_port={free_port()}',
               *cmd[1:], '--launcher', 'pytorch']
        env['OMP_NUM_THREADS'] = '1'
    log = open(osp.join(str(work_dir) + '.log'), 'a')
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log,
                            stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    if not wait:
        return proc
    assert proc.wait(timeout=1500) == 0, open(log.name).read()[-3000:]
    return proc


def _state(path):
    return torch.load(path, map_location='cpu', weights_only=False)[
        'state_dict']


def _final_checkpoint(work_dir, stage):
    marker = json.load(open(osp.join(work_dir, stage, 'stage_done.json')))
    return osp.join(work_dir, stage, marker['outputs']['checkpoint'])


def _same_folder(a, b):
    names = sorted(os.listdir(a))
    assert names and names == sorted(os.listdir(b))
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert not mismatch and not errors, mismatch[:3]


@pytest.mark.subprocess
def test_pipeline_runs_every_stage(pipeline_run):
    cfg = Config.fromfile(osp.join(REPO, PIPELINE))
    work = pipeline_run.work_dir
    for name, spec in cfg.stages.items():
        if spec is not None:
            assert osp.isfile(work / name / 'stage_done.json'), name
    assert not (work / 'test_crf').exists()  # dropped by the config
    assert len(os.listdir(work / 'pseudo_labels' / 'labels')) == 24
    assert len(os.listdir(work / 'test' / 'predictions')) == 8
    metrics = json.load(open(work / 'test' / 'metrics.json'))
    scores = json.load(open(work / 'score_test' / 'scores.json'))
    # the final model's val mIoU, measured twice: by MMSeg's metric in the
    # test stage and from its saved predictions by the error analysis
    assert metrics['mIoU'] == pytest.approx(scores['mIoU'], abs=0.01)
    marker = json.load(open(work / 'pseudo_labels' / 'stage_done.json'))
    masks = marker['masks']
    assert masks['labelled_images'] == 23
    assert abs(masks['background_pixels'] + masks['foreground_pixels'] +
               masks['ignored_pixels'] - 100) < 1e-6


@pytest.mark.subprocess
def test_kill_during_training_then_rerun_is_identical(pipeline_run,
                                                      tmp_path):
    """kill -9 in the middle of the PSL training, same command again: the
    outputs equal those of the uninterrupted run (the stages before PSL
    are copied from it: their markers make them complete)."""
    reference = pipeline_run.work_dir
    work = tmp_path / 'killed'
    for stage in ('classifier', 'cams', 'saliency', 'pseudo_labels'):
        shutil.copytree(reference / stage, work / stage, symlinks=True)
    proc = _train(work, pipeline_run.options, wait=False)
    target = work / 'psl' / 'epoch_5.pth'
    deadline = time.time() + 1200
    while not target.exists() and proc.poll() is None:
        assert time.time() < deadline
        time.sleep(0.2)
    assert proc.poll() is None, 'the run ended before it could be killed'
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (work / 'psl' / 'stage_done.json').exists()
    _train(work, pipeline_run.options)
    log = open(str(work) + '.log').read()
    assert 'classifier (AdversarialErasingStage): complete, skipped' in log
    for folder in ('psl_plus_labels/labels', 'psl_online_labels/labels',
                   'test/predictions'):
        _same_folder(reference / folder, work / folder)
    for stage in ('psl', 'psl_plus'):
        ref = _state(_final_checkpoint(reference, stage))
        new = _state(_final_checkpoint(work, stage))
        assert ref.keys() == new.keys()
        for key in ref:
            assert torch.equal(ref[key], new[key]), (stage, key)
    assert json.load(open(reference / 'test' / 'metrics.json')) == \
        json.load(open(work / 'test' / 'metrics.json'))


@pytest.mark.subprocess
def test_stage_option_runs_one_stage(pipeline_run, tmp_path):
    work = tmp_path / 'one'
    os.makedirs(work)
    for name in os.listdir(pipeline_run.work_dir):
        if name != 'test' and osp.isdir(pipeline_run.work_dir / name):
            os.symlink(pipeline_run.work_dir / name, work / name)
    _train(work, pipeline_run.options, '--stage', 'test')
    assert (work / 'test' / 'stage_done.json').exists()
    log = open(str(work) + '.log').read()
    assert '] test (TestStage): running' in log
    assert 'psl_plus (TrainStage): running' not in log


@pytest.mark.subprocess
def test_pipeline_on_two_cpu_ranks(synthetic_root, tmp_path):
    """tools/dist_train.sh's launch (torchrun, --launcher pytorch) on CPU
    ranks: the AE classifier trains data parallel (gloo) and mines with an
    all-reduce, per-image stages shard the images.  The stages after the
    pseudo masks add nothing new and are dropped."""
    work = tmp_path / 'dist'
    later = [f'stages.{name}=None' for name in (
        'psl', 'psl_plus_labels', 'psl_plus', 'test_psl', 'test',
        'test_no_suppression', 'psl_online_labels', 'score_psl_online_labels',
        'score_psl_plus_labels', 'score_test', 'cam_labels', 'ae_labels',
        'score_cam_labels', 'score_ae_labels')]
    options = pipeline_options(synthetic_root) + later + [
        'common_cfg_options.train_cfg.epochs_per_step=[2,1,1]',
        'stages.pseudo_labels.max_empty_share=1.0']
    _train(work, options, launcher=True)
    assert len(os.listdir(work / 'pseudo_labels' / 'labels')) == 24
    assert len(os.listdir(work / 'classifier' / 'erasing' / 'regions')) == 24
    log = open(str(work) + '.log').read()
    assert 'Distributed training: True' in log
    assert "'written': 12" in log  # each rank wrote its half of the CAMs
    scores = json.load(open(work / 'score_pseudo_labels' / 'scores.json'))
    # the gathered masks find objects: above the same masks with every
    # object pixel they place turned to background
    from mmwsss.datasets import SYNTHETIC_CLASSES
    pairs = [(str(work / 'pseudo_labels' / 'labels' / name),
              osp.join(synthetic_root, 'SegmentationClass', name))
             for name in os.listdir(work / 'pseudo_labels' / 'labels')]
    assert scores['mIoU'] > masks_miou(pairs, len(SYNTHETIC_CLASSES),
                                       objects_erased=True)


@pytest.mark.subprocess
def test_test_tool_flags_and_split_swap(pipeline_run, synthetic_root,
                                        tmp_path):
    """tools/test.py on the pipeline's final model: suppression on/off,
    CRF post-processing, prediction PNGs, and another split by
    --cfg-options."""
    checkpoint = _final_checkpoint(pipeline_run.work_dir, 'psl_plus')
    config = 'configs/psl/psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py'
    opts = [o.replace('common_cfg_options.', '')
            for o in pipeline_options(synthetic_root)]

    def test(*flags, split=None):
        extra = [f'test_dataloader.dataset.ann_file={split}'] if split else []
        out = run_tool('tools/test.py', config, checkpoint, '--work-dir',
                       str(tmp_path / 'work'), *flags, '--cfg-options',
                       *opts, *extra, timeout=600)
        return json.loads(out.stdout.strip().splitlines()[-1])

    plain = test('--out', str(tmp_path / 'val'))
    assert len(os.listdir(tmp_path / 'val')) == 8
    final = json.load(open(pipeline_run.work_dir / 'test' / 'metrics.json'))
    assert plain['mIoU'] == pytest.approx(final['mIoU'])
    _same_folder(tmp_path / 'val', pipeline_run.work_dir / 'test' /
                 'predictions')
    # a threshold above 1 suppresses every object class: all background;
    # a threshold of 0 suppresses none: the same as no suppression
    test('--cls-threshold', '1.01', '--out', str(tmp_path / 'none'))
    for name in os.listdir(tmp_path / 'none'):
        assert not np.asarray(Image.open(tmp_path / 'none' / name)).any()
    test('--no-suppression', '--out', str(tmp_path / 'all'))
    test('--cls-threshold', '0', '--out', str(tmp_path / 'zero'))
    _same_folder(tmp_path / 'all', tmp_path / 'zero')
    test('--crf', 'deeplab', '--out', str(tmp_path / 'crf'))
    assert sorted(os.listdir(tmp_path / 'crf')) == sorted(
        os.listdir(tmp_path / 'val'))
    test('--out', str(tmp_path / 'train'),
         split='ImageSets/Segmentation/train.txt')
    train_ids = open(osp.join(synthetic_root, 'ImageSets', 'Segmentation',
                              'train.txt')).read().split()
    assert sorted(os.listdir(tmp_path / 'train')) == sorted(
        f'{i}.png' for i in train_ids)
    # the pipeline config and its work dir: the final model, and a split
    # swapped on the command line reaches the model's config
    run_tool('tools/test.py', PIPELINE, str(pipeline_run.work_dir),
             '--work-dir', str(tmp_path / 'work'), '--out',
             str(tmp_path / 'via_pipeline'), '--cfg-options',
             *pipeline_options(synthetic_root),
             'test_dataloader.dataset.ann_file='
             'ImageSets/Segmentation/train.txt', timeout=600)
    assert sorted(os.listdir(tmp_path / 'via_pipeline')) == sorted(
        f'{i}.png' for i in train_ids)
    _same_folder(tmp_path / 'train', tmp_path / 'via_pipeline')


@pytest.mark.subprocess
def test_stage_report_lists_stages_and_results(pipeline_run):
    out = run_tool('tools/stage_report.py', str(pipeline_run.work_dir),
                   timeout=60).stdout
    assert '| psl | TrainStage |' in out
    row = next(line for line in out.splitlines()
               if line.startswith('| score_pseudo_labels |'))
    scores = json.load(open(pipeline_run.work_dir / 'score_pseudo_labels' /
                            'scores.json'))
    assert f'mIoU {scores["mIoU"]:.2f}' in row
    assert f'false_background {scores["false_background"]:.2f}' in row
    masks = next(line for line in out.splitlines()
                 if line.startswith('| pseudo_labels |'))
    assert 'ignored_pixels' in masks and 'empty_labelled_images' in masks
    # train-side signals: lost tags, and where saliency and classes disagreed
    for key in ('lost_tag_share', 'salient_unclaimed', 'mined_not_salient',
                'contested'):
        assert key in masks


def test_stage_report_skips_folders_that_are_not_stages(tmp_path):
    """A stage that started and stopped is listed as incomplete; a data
    folder the user keeps in the work dir is not a stage."""
    report = _load_tool('stage_report')
    (tmp_path / 'psl').mkdir()
    (tmp_path / 'psl' / 'stage_started.json').write_text('{}')
    (tmp_path / 'data' / 'images').mkdir(parents=True)
    assert report.stage_rows(str(tmp_path)) == [
        dict(stage='psl', status='incomplete')]


def test_stage_report_shows_the_teacher_rule_chosen(tmp_path):
    """The teacher rule stage's choice and both rules' scores (its
    marker's report) are in the stage report."""
    report = _load_tool('stage_report')
    folder = tmp_path / 'teacher_rule'
    folder.mkdir()
    (folder / 'stage_done.json').write_text(json.dumps(dict(
        stage='teacher_rule', type='TeacherRuleStage', outputs={},
        seconds=3.0, finished='2026-12-05 17:35:13',
        choice=dict(rule='under', images=15, scores=dict(
            under=dict(mIoU=82.5), alone=dict(mIoU=30.4))))))
    row, = report.stage_rows(str(tmp_path))
    assert row['result'] == {'rule': 'under', 'under mIoU': 82.5,
                             'alone mIoU': 30.4}
    assert 'rule under, under mIoU 82.50' in report.markdown([row])


def test_seed_and_amp_reach_every_training_stage(init_scope, tmp_path):
    """tools/train.py --seed / --amp on a pipeline: every training
    stage's resolved config gets them."""
    train_tool = _load_tool('train')
    from mmwsss.stages import StageContext
    from mmwsss.stages.pipeline import build_stage, ordered_specs
    cfg = Config.fromfile(osp.join(REPO, PIPELINE))
    common = train_tool.every_stage_options(cfg.get('common_cfg_options'),
                                            seed=7,
                                            amp=True)
    trains = [(n, s) for n, s in ordered_specs(cfg.stages)
              if s['type'] in ('TrainStage', 'AdversarialErasingStage')]
    assert len(trains) == 3
    for name, spec in trains:
        stage = build_stage(name, spec)
        ctx = StageContext(name=name, work_dir=str(tmp_path),
                           stage_dir=str(tmp_path / name),
                           config_dir=osp.join(REPO, 'configs'),
                           common_cfg_options=common,
                           inputs=dict(masks='/m', classifier_checkpoint='/c'),
                           variables=dict(classifier=cfg.classifier,
                                          segmentor=cfg.segmentor))
        stage_cfg = stage.load_config(ctx)
        assert stage_cfg.optim_wrapper.type == 'AmpOptimWrapper', name
        assert stage_cfg.randomness.seed == 7, name


def test_stage_report_shows_the_data_check(tmp_path):
    """The pipeline's data check (dataset_check.json) heads the report:
    the class table and its warnings (MSRC-17: face never without body)."""
    report = _load_tool('stage_report')
    (tmp_path / 'dataset_check.json').write_text(json.dumps(dict(
        classes=[dict(name='body', train=32, held=3),
                 dict(name='face', train=29, held=3)],
        warnings=['every one of the 29 training images tagged face is also '
                  'tagged body'], errors=[])))
    text = report.data_summary(str(tmp_path))
    assert '| face | 29 | 3 |' in text
    assert 'warning: every one of the 29 training images tagged face' in text
    assert report.data_summary(str(tmp_path / 'nowhere')) == ''


def test_stage_wiring_is_checked_against_what_stages_declare(init_scope):
    """Each stage kind declares what it reads and writes: an output its
    producer does not write, an output of another kind, a missing required
    input and an input nobody reads are all named before anything runs."""
    from mmwsss.stages import StageError
    from mmwsss.stages.graph import check_specs, ordered_specs
    specs = ordered_specs(dict(
        classifier=dict(type='AdversarialErasingStage', config='x.py'),
        saliency=dict(type='SaliencyStage', config='x.py'),
        cams=dict(type='CAMStage', config='x.py'),
        masks=dict(type='PseudoLabelStage', config='x.py',
                   inputs=dict(regions='classifier.region',
                               cams='saliency.maps',
                               saliency='saliency.maps',
                               mask='saliency.maps'))))
    with pytest.raises(StageError) as error:
        check_specs(specs, {})
    text = str(error.value)
    assert "stage 'cams' (CAMStage) needs an input 'checkpoint'" in text
    assert "stage 'classifier' writes no 'region' (did you mean " \
        "'regions'?)" in text
    assert "input 'cams' reads cams, but 'saliency.maps' is maps" in text
    assert "input 'mask' is neither read by the stage" in text
    # ae_saliency (the default mode) needs regions and saliency
    specs = ordered_specs(dict(masks=dict(type='PseudoLabelStage',
                                          config='x.py')))
    with pytest.raises(StageError, match="needs an input 'regions'"):
        check_specs(specs, {})


def test_erasing_stage_needs_the_erasing_loop(tmp_path):
    """An AdversarialErasingStage whose config trains with another loop
    would export no regions: it stops before training, naming the loop."""
    from mmwsss.stages import StageContext
    from mmwsss.stages.pipeline import build_stage
    stage = build_stage('classifier', dict(type='AdversarialErasingStage',
                                           config='x.py'))
    assert set(stage.declared_outputs()) == {'checkpoint', 'regions'}
    ctx = StageContext(name='classifier', work_dir=str(tmp_path),
                       stage_dir=str(tmp_path / 'classifier'),
                       config_dir=str(tmp_path))
    cfg = Config(dict(train_cfg=dict(type='EpochBasedTrainLoop')))
    with pytest.raises(ValueError, match="'EpochBasedTrainLoop'"):
        stage.run(ctx, cfg)
