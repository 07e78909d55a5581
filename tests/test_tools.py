"""The command-line tools end to end on tiny synthetic data (subprocesses,
exactly as a user runs them)."""
import json
import os
import os.path as osp
import shutil

import pytest
import torch

from conftest import REPO, free_port, run_tool
from helpers import tiny_synthetic_options

CONFIG = osp.join(REPO, 'configs', 'cam',
                  'cam_tinyr18-d8_1xb16-20e_synthetic-96x96.py')
AE_CONFIG = osp.join(REPO, 'configs', 'ae',
                     'ae_tinyr18-d8_1xb16-20-8-8e_synthetic-96x96.py')
pytestmark = pytest.mark.subprocess


def _weights(path):
    return torch.load(path, map_location='cpu', weights_only=False)[
        'state_dict']


def test_train_resumes_exactly(synthetic_root, tmp_path):
    """Train 3 epochs; then, in another work dir holding only the epoch-2
    checkpoint, --resume: the same epoch-3 weights (random states travel
    in the checkpoints)."""
    opts = ['--cfg-options', 'train_cfg.max_epochs=3',
            'train_cfg.val_interval=3',
            *tiny_synthetic_options(synthetic_root)]
    whole, resumed = tmp_path / 'whole', tmp_path / 'resumed'
    run_tool('tools/train.py', CONFIG, '--work-dir', str(whole), *opts)
    resumed.mkdir()
    shutil.copy(whole / 'epoch_2.pth', resumed)
    run_tool('tools/train.py', CONFIG, '--work-dir', str(resumed),
             '--resume', *opts)
    ours, theirs = (_weights(resumed / 'epoch_3.pth'),
                    _weights(whole / 'epoch_3.pth'))
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert torch.equal(ours[key], theirs[key]), key


def test_make_cams_then_eval(pipeline_run, synthetic_root, tmp_path):
    checkpoint = str(pipeline_run.work_dir / 'classifier' / 'epoch_36.pth')
    cams = tmp_path / 'cams'
    opts = ['--cfg-options', *tiny_synthetic_options(synthetic_root)]
    run_tool('tools/make_cams.py', AE_CONFIG, checkpoint, '--out-dir',
             str(cams), '--scales', '1.0', '0.5', *opts)
    assert len(os.listdir(cams)) == 24
    second = run_tool('tools/make_cams.py', AE_CONFIG, checkpoint,
                      '--out-dir', str(cams), *opts).stdout
    assert '0 CAM files written, 24 already done' in second
    out = run_tool('tools/eval_pseudo_labels.py', AE_CONFIG, '--cams',
                   str(cams), '--thresholds', '0.1:0.9:0.1', *opts).stdout
    assert 'best background threshold' in out
    results = json.load(open(str(cams) + '_eval.json'))
    assert [round(r['threshold'], 2) for r in results['sweep']] == [
        0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    best = max(results['sweep'], key=lambda r: r['mIoU'])
    assert results['best'] == best
    # a higher background threshold only turns object pixels into
    # background: background recall never falls along the sweep
    recalls = [row['per_class']['background']['recall']
               for row in results['sweep']]
    assert recalls == sorted(recalls) and recalls[0] < recalls[-1]
    assert osp.getsize(str(cams) + '_eval_curve.png') > 1000


def test_make_cams_shards_across_ranks(pipeline_run, synthetic_root,
                                       tmp_path):
    """torchrun with 2 CPU ranks (gloo): each writes its own half."""
    checkpoint = str(pipeline_run.work_dir / 'classifier' / 'epoch_36.pth')
    cams = tmp_path / 'cams'
    out = run_tool('-m', 'torch.distributed.run', '--nproc_per_node=2',
                   f'--master_port={free_port()}', 'tools/make_cams.py',
                   AE_CONFIG, checkpoint, '--out-dir', str(cams), '--scales',
                   '1.0', '--launcher', 'pytorch', '--cfg-options',
                   *tiny_synthetic_options(synthetic_root),
                   env=dict(OMP_NUM_THREADS='1')).stdout
    assert len(os.listdir(cams)) == 24
    assert '[rank 0/2] 12 CAM files written' in out
    assert '[rank 1/2] 12 CAM files written' in out


def test_num_classes_mismatch_stops_train(synthetic_root, tmp_path):
    result = run_tool('tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                      '--cfg-options', 'model.head.num_classes=9',
                      *tiny_synthetic_options(synthetic_root), check=False,
                      timeout=300)
    assert result.returncode != 0
    assert 'num_classes=9' in result.stderr and CONFIG in result.stderr


def test_demo_prints_every_rung_and_resumes(pipeline_run, synthetic_root):
    """The README main job (run once for the session), and its second run:
    every stage skipped, the same numbers printed."""
    out = pipeline_run.stdout
    for rung in ('cam_labels', 'ae_labels', 'pseudo_labels',
                 'psl_online_labels', 'psl_plus_labels'):
        assert f'  {rung} ' in out
    final = json.load(open(pipeline_run.work_dir / 'test' / 'metrics.json'))
    assert f'PSL++ model, val mIoU: {final["mIoU"]:.2f}' in out
    again = run_tool('tools/demo.py', '--work-dir',
                     str(pipeline_run.work_dir), '--data-root',
                     synthetic_root, '--cfg-options',
                     *pipeline_run.options).stdout
    assert again.split('== AE-PSL')[1] == out.split('== AE-PSL')[1]
