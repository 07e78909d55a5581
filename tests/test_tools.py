"""The command-line tools end to end on tiny synthetic data (subprocesses,
exactly as a user runs them)."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
from helpers import tiny_synthetic_options

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO, 'configs', 'cam', 'cam_tinyres_synthetic.py')


def run(*args, cwd=REPO):
    result = subprocess.run([sys.executable, *args], cwd=cwd,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope='module')
def trained(tmp_path_factory, synthetic_root):
    work = tmp_path_factory.mktemp('work')
    run('tools/train.py', CONFIG, '--work-dir', str(work), '--cfg-options',
        'train_cfg.max_epochs=2', 'train_cfg.val_interval=2',
        *tiny_synthetic_options(synthetic_root))
    return work


def test_train_writes_checkpoints_and_resumes(trained, synthetic_root):
    assert osp.isfile(trained / 'epoch_2.pth')
    out = run('tools/train.py', CONFIG, '--work-dir', str(trained),
              '--resume', '--cfg-options', 'train_cfg.max_epochs=3',
              'train_cfg.val_interval=3',
              *tiny_synthetic_options(synthetic_root))
    assert osp.isfile(trained / 'epoch_3.pth')


def test_make_cams_then_eval(trained, synthetic_root, tmp_path):
    cams = tmp_path / 'cams'
    opts = ['--cfg-options', *tiny_synthetic_options(synthetic_root)]
    run('tools/make_cams.py', CONFIG, str(trained / 'epoch_2.pth'),
        '--out-dir', str(cams), '--scales', '1.0', '0.5', *opts)
    assert len(os.listdir(cams)) == 24
    second = run('tools/make_cams.py', CONFIG, str(trained / 'epoch_2.pth'),
                 '--out-dir', str(cams), *opts)
    assert '0 CAM files written, 24 already done' in second
    out = run('tools/eval_pseudo_labels.py', CONFIG, '--cams', str(cams),
              '--thresholds', '0.1:0.9:0.1', *opts)
    assert 'best background threshold' in out
    results = json.load(open(str(cams) + '_eval.json'))
    assert len(results['sweep']) == 9
    assert 0 <= results['best']['mIoU'] <= 100
    assert osp.getsize(str(cams) + '_eval_curve.png') > 1000


def test_num_classes_mismatch_stops_train(synthetic_root, tmp_path):
    result = subprocess.run(
        [sys.executable, 'tools/train.py', CONFIG, '--work-dir',
         str(tmp_path), '--cfg-options', 'model.head.num_classes=9',
         *tiny_synthetic_options(synthetic_root)],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert 'num_classes=9' in result.stderr and CONFIG in result.stderr


def test_demo_runs_the_ae_psl_pipeline(synthetic_root, tmp_path):
    """The README main job, on the small fixture data."""
    opts = [f'common_cfg_options.{o}' for o in
            tiny_synthetic_options(synthetic_root) if 'data_root' not in o]
    out = run('tools/demo.py', '--work-dir', str(tmp_path / 'demo'),
              '--data-root', synthetic_root, '--cfg-options', *opts)
    for rung in ('pseudo_labels', 'psl_online_labels', 'psl_plus_labels'):
        assert f'  {rung} ' in out
    assert 'PSL++ model, val mIoU:' in out
    again = run('tools/demo.py', '--work-dir', str(tmp_path / 'demo'),
                '--data-root', synthetic_root, '--cfg-options', *opts)
    assert 'PSL++ model, val mIoU:' in again  # resumed: all stages skipped


def test_make_cams_shards_across_ranks(trained, synthetic_root, tmp_path):
    """torchrun with 2 CPU ranks (gloo): each writes its own half."""
    cams = tmp_path / 'cams'
    out = run('-m', 'torch.distributed.run', '--nproc_per_node=2',
              '--master_port=29533', 'tools/make_cams.py', CONFIG,
              str(trained / 'epoch_2.pth'), '--out-dir', str(cams),
              '--scales', '1.0', '--launcher', 'pytorch', '--cfg-options',
              *tiny_synthetic_options(synthetic_root))
    assert len(os.listdir(cams)) == 24
    assert '[rank 0/2] 12 CAM files written' in out
    assert '[rank 1/2] 12 CAM files written' in out
