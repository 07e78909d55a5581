"""The stage pipeline: spec checks, input checks, markers, skipping, and
the synthetic AE-PSL config end to end (kill -9 + resume, one stage,
two CPU ranks)."""
import filecmp
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

from helpers import DATALOADERS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
PIPELINE = 'configs/ae_psl_tinyres_synthetic.py'


# ------------------------------------------------------------ unit checks
def test_placeholders_fill_nested_values_and_reject_typos():
    from mmwsss.stages import fill_placeholders
    filled = fill_placeholders(
        {'a': '{masks}/x', 'b': ['{work_dir}', 3], 'c': {'d': 'plain'}},
        dict(masks='/m', work_dir='/w'))
    assert filled == {'a': '/m/x', 'b': ['/w', 3], 'c': {'d': 'plain'}}
    with pytest.raises(KeyError, match='mask'):
        fill_placeholders('{mask}', dict(masks='/m'))


def test_unknown_tool_is_named(init_scope):
    from mmwsss.stages import StageError, build_stages
    with pytest.raises(StageError, match="stage 'cams' names unknown tool "
                       "'MakeCAMsStage'"):
        build_stages([dict(name='cams', type='MakeCAMsStage')])


def test_bad_specs_are_rejected_before_running(init_scope):
    from mmwsss.stages import StageError, build_stages
    cfg = 'ae/ae_tinyres_synthetic.py'
    with pytest.raises(StageError, match='listed twice'):
        build_stages([dict(name='a', type='SaliencyStage', config=cfg)] * 2)
    with pytest.raises(StageError, match="comes from stage 'b', which runs "
                       'later'):
        build_stages([
            dict(name='a', type='ScoreLabelsStage', config=cfg,
                 inputs=dict(labels='b.labels')),
            dict(name='b', type='PseudoLabelStage', config=cfg)])
    with pytest.raises(StageError, match="stage 'a'.*unexpected keyword"):
        build_stages([dict(name='a', type='TrainStage', config=cfg,
                           epochs=3)])


def _marker(stage_dir, outputs, files=None):
    os.makedirs(stage_dir, exist_ok=True)
    with open(osp.join(stage_dir, 'stage_done.json'), 'w') as handle:
        json.dump(dict(outputs=outputs, files=files or {}), handle)


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
    assert resolve_inputs('psl', inputs, work, names) == dict(
        masks=str(labels))
    with pytest.raises(StageError, match="has no output 'maps'"):
        resolve_inputs('psl', dict(m='pseudo_labels.maps'), work, names)
    with pytest.raises(StageError, match='/nowhere does not exist'):
        resolve_inputs('psl', dict(m='/nowhere'), work, names)


def test_complete_stages_are_skipped_and_one_stage_runs_alone(
        init_scope, synthetic_root, tmp_path):
    """Cheap stages (spectral saliency, its score-free pseudo masks) show
    the generic mechanism: markers, skipping, ``only``."""
    from mmwsss.stages import StageError, run_stages
    opts = {f'{k}.dataset.{a}': v for k in DATALOADERS for a, v in (
        ('data_root', synthetic_root), ('num_train', 24), ('num_val', 8),
        ('image_size', 64))}
    classifier = osp.join(REPO, 'configs', 'ae', 'ae_tinyres_synthetic.py')
    cfg = Config(dict(
        work_dir=str(tmp_path / 'work'),
        common_cfg_options=opts,
        stages=[
            dict(name='saliency', type='SaliencyStage', config=classifier,
                 saliency=dict(type='SpectralResidualSaliency')),
            dict(name='masks', type='PseudoLabelStage', mode='cam_saliency',
                 config=classifier,
                 inputs=dict(saliency='saliency.maps', cams='/nowhere')),
        ]))
    with pytest.raises(StageError, match="stage 'masks'.*'cams'.*/nowhere"):
        run_stages(cfg)
    marker = tmp_path / 'work' / 'saliency' / 'stage_done.json'
    done = json.loads(marker.read_text())
    assert done['outputs'] == dict(maps='maps') and done['files']['maps'] == 24
    stamp = marker.stat().st_mtime_ns
    with pytest.raises(StageError, match='/nowhere'):
        run_stages(cfg, only='masks')  # saliency untouched, masks checked
    assert marker.stat().st_mtime_ns == stamp
    with pytest.raises(StageError, match="no stage 'nope'"):
        run_stages(cfg, only='nope')


# ------------------------------------------------------- end to end (CI)
def _options(root):
    opts = []
    for key in DATALOADERS:
        for arg, value in (('data_root', root), ('num_train', 24),
                           ('num_val', 8), ('image_size', 64)):
            opts.append(f'common_cfg_options.{key}.dataset.{arg}={value}')
    return opts


def _train(work_dir, root, *extra, wait=True, launcher=None):
    cmd = [sys.executable, 'tools/train.py', PIPELINE, '--work-dir',
           str(work_dir), *extra, '--cfg-options', *_options(root)]
    if launcher:
        cmd = [sys.executable, '-m', 'torch.distributed.run',
               '--nproc_per_node=2', '--master_port=29533', *cmd[1:],
               '--launcher', 'pytorch']
    env = dict(os.environ, OMP_NUM_THREADS='1')
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


@pytest.fixture(scope='module')
def reference_run(synthetic_root, tmp_path_factory):
    work = tmp_path_factory.mktemp('pipeline') / 'reference'
    _train(work, synthetic_root)
    return work


def test_pipeline_runs_every_stage(reference_run):
    cfg = Config.fromfile(osp.join(REPO, PIPELINE))
    for spec in cfg.stages:
        assert osp.isfile(osp.join(reference_run, spec['name'],
                                   'stage_done.json')), spec['name']
    assert len(os.listdir(reference_run / 'pseudo_labels' / 'labels')) == 24
    metrics = json.load(open(reference_run / 'test' / 'metrics.json'))
    assert 0 < metrics['mIoU'] <= 100


def _same_folder(a, b):
    names = sorted(os.listdir(a))
    assert names == sorted(os.listdir(b))
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert not mismatch and not errors, mismatch[:3]


def test_kill_during_training_then_rerun_is_identical(
        reference_run, synthetic_root, tmp_path):
    """kill -9 in the middle of the PSL training, same command again: the
    outputs equal those of the uninterrupted run."""
    work = tmp_path / 'killed'
    proc = _train(work, synthetic_root, wait=False)
    target = work / 'psl' / 'epoch_5.pth'
    deadline = time.time() + 1200
    while not target.exists() and proc.poll() is None:
        assert time.time() < deadline
        time.sleep(0.2)
    assert proc.poll() is None, 'the run ended before it could be killed'
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (work / 'psl' / 'stage_done.json').exists()
    _train(work, synthetic_root)
    for folder in ('pseudo_labels/labels', 'psl_plus_labels/labels',
                   'psl_online_labels/labels'):
        _same_folder(reference_run / folder, work / folder)
    for stage in ('psl', 'psl_plus'):
        ref = _state(_final_checkpoint(reference_run, stage))
        new = _state(_final_checkpoint(work, stage))
        assert ref.keys() == new.keys()
        for key in ref:
            assert torch.equal(ref[key], new[key]), (stage, key)
    assert json.load(open(reference_run / 'test' / 'metrics.json')) == \
        json.load(open(work / 'test' / 'metrics.json'))


def test_stage_option_runs_one_stage(reference_run, synthetic_root,
                                     tmp_path):
    work = tmp_path / 'one'
    os.makedirs(work)
    for name in os.listdir(reference_run):
        if name != 'test' and osp.isdir(reference_run / name):
            os.symlink(reference_run / name, work / name)
    _train(work, synthetic_root, '--stage', 'test')
    assert (work / 'test' / 'stage_done.json').exists()
    log = open(str(work) + '.log').read()
    assert '[stage 11/11] test (TestStage): running' in log
    assert 'psl_plus (TrainStage): running' not in log


def test_pipeline_on_two_cpu_ranks(synthetic_root, tmp_path):
    """tools/dist_train.sh's launch (torchrun, --launcher pytorch) on CPU
    ranks: training is data parallel (gloo), per-image stages shard."""
    work = tmp_path / 'dist'
    _train(work, synthetic_root, launcher='pytorch')
    assert len(os.listdir(work / 'psl_plus_labels' / 'labels')) == 24
    log = open(str(work) + '.log').read()
    assert 'Distributed training: True' in log
    assert json.load(open(work / 'test' / 'metrics.json'))['mIoU'] > 0


def test_test_tool_flags_and_split_swap(reference_run, synthetic_root,
                                        tmp_path):
    """tools/test.py on the pipeline's final model: suppression on/off,
    CRF post-processing, prediction PNGs, and another split by
    --cfg-options."""
    checkpoint = _final_checkpoint(reference_run, 'psl_plus')
    config = 'configs/psl/psl_tinyres_synthetic.py'
    opts = [o.replace('common_cfg_options.', '')
            for o in _options(synthetic_root)]

    def test(*flags, split=None):
        extra = [f'test_dataloader.dataset.ann_file={split}'] if split else []
        out = subprocess.run(
            [sys.executable, 'tools/test.py', config, checkpoint,
             '--work-dir', str(tmp_path / 'work'), *flags,
             '--cfg-options', *opts, *extra],
            cwd=REPO, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr[-3000:]
        return json.loads(out.stdout.strip().splitlines()[-1])

    plain = test('--out', str(tmp_path / 'val'))
    assert len(os.listdir(tmp_path / 'val')) == 8
    assert 0 < plain['mIoU'] <= 100
    # a threshold above 1 suppresses every object class: all background
    test('--cls-threshold', '1.01', '--out', str(tmp_path / 'none'))
    for name in os.listdir(tmp_path / 'none'):
        assert not np.asarray(Image.open(tmp_path / 'none' / name)).any()
    test('--no-suppression')
    test('--crf', 'deeplab')
    test('--out', str(tmp_path / 'train'),
         split='ImageSets/Segmentation/train.txt')
    train_ids = open(osp.join(synthetic_root, 'ImageSets', 'Segmentation',
                              'train.txt')).read().split()
    assert sorted(os.listdir(tmp_path / 'train')) == sorted(
        f'{i}.png' for i in train_ids)


def test_stage_report_lists_stages_and_results(reference_run):
    out = subprocess.run(
        [sys.executable, 'tools/stage_report.py', str(reference_run)],
        cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert '| psl | TrainStage |' in out.stdout
    assert '| score_pseudo_labels | ScoreLabelsStage |' in out.stdout
    assert 'mIoU' in out.stdout
