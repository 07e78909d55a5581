"""Ranks give the same result (issue 27): per-image steps run on 2 CPU
ranks (torchrun, gloo) write the same bytes as 1 rank, file for file,
with other worker counts too.

* the per-image stages of the synthetic AE-PSL pipeline against the
  session's 1-rank run (conftest's ``pipeline_run``); its trained models
  and erasing regions are given as paths (the training stages are
  dropped), so every difference would come from sharding or workers;
* every per-image step the pipelines have (CAMs, saliency, erasing
  mining, pseudo masks, PSL++ masks with the CRF, affinity masks,
  proposals, their scores, re-ranking and localization maps) on a
  VOC-like dataset with tiny random networks
  (``benchmarks/scale_steps.py``)."""
import filecmp
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from conftest import REPO, free_port

#: the per-image stages and the folder each writes
PER_IMAGE = dict(cams='cams', saliency='maps', pseudo_labels='labels',
                 psl_plus_labels='labels', psl_online_labels='labels',
                 cam_labels='labels', ae_labels='labels')
#: the training stages and tests, scores: not run
DROPPED = ('classifier', 'psl', 'psl_plus', 'test_psl', 'test',
           'score_cam_labels', 'score_ae_labels', 'score_pseudo_labels',
           'score_psl_online_labels', 'score_psl_plus_labels', 'score_test')


def _demo_config() -> str:
    """The pipeline config ``pipeline_run`` ran (tools/demo.py's)."""
    spec = importlib.util.spec_from_file_location(
        'demo_tool', osp.join(REPO, 'tools', 'demo.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DEMO_CONFIG


def _reference_inputs(reference):
    """The trained models and regions of the 1-rank run, as paths given
    to the stages that read them."""
    def output(stage, name):
        marker = json.load(open(reference / stage / 'stage_done.json'))
        return str(reference / stage / marker['outputs'][name])

    classifier = output('classifier', 'checkpoint')
    regions = output('classifier', 'regions')
    psl = output('psl', 'checkpoint')
    options = [f'stages.cams.inputs.checkpoint={classifier}']
    for stage in ('pseudo_labels', 'cam_labels', 'ae_labels'):
        options.append(f'stages.{stage}.inputs.regions={regions}')
    for stage in ('psl_plus_labels', 'psl_online_labels'):
        options.append(f'stages.{stage}.inputs.checkpoint={psl}')
    return options


def _run(*args, ranks=1):
    launch = [sys.executable] if ranks == 1 else [
        sys.executable, '-m', 'torch.distributed.run',
        f'--nproc_per_node={ranks}', f'--master_port={free_port()}']
    env = dict(os.environ, OMP_NUM_THREADS='1')
    result = subprocess.run(launch + list(args), cwd=REPO,
                            capture_output=True, text=True, timeout=1200,
                            env=env)
    assert result.returncode == 0, result.stdout[-3000:] + \
        result.stderr[-3000:]
    return result.stdout + result.stderr


def _same_files(ours, theirs, count, what):
    names = sorted(os.listdir(theirs))
    assert len(names) == count, (what, len(names))
    assert sorted(os.listdir(ours)) == names, what
    _, mismatch, errors = filecmp.cmpfiles(ours, theirs, names,
                                           shallow=False)
    assert not mismatch and not errors, (what, mismatch[:3])


@pytest.mark.subprocess
def test_two_ranks_write_the_bytes_one_rank_writes(pipeline_run, tmp_path):
    reference = pipeline_run.work_dir
    work = tmp_path / 'ranks'
    options = pipeline_run.options + [
        f'stages.{name}=None' for name in DROPPED] + _reference_inputs(
            reference) + ['stages.pseudo_labels.workers=2',
                          'stages.psl_plus_labels.crf_workers=auto',
                          'stages.psl_online_labels.crf_workers=2']
    log = _run('tools/train.py', _demo_config(), '--work-dir', str(work),
               '--launcher', 'pytorch', '--cfg-options', *options, ranks=2)
    assert "'written': 12" in log  # each rank wrote its half
    for stage, folder in PER_IMAGE.items():
        _same_files(work / stage / folder, reference / stage / folder,
                    pipeline_run.num_train, stage)
        assert osp.isfile(work / stage / 'stage_done.json')


@pytest.mark.subprocess
def test_every_per_image_step_is_the_same_on_two_ranks(tmp_path):
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    import scale
    from scale_steps import PER_IMAGE as STEPS
    data = scale.generate(str(tmp_path / 'data'), 16, 48)
    script = osp.join('benchmarks', 'scale_steps.py')
    _run(script, data, str(tmp_path / 'one'))
    _run(script, data, str(tmp_path / 'two'), ranks=2)
    for step, folders in STEPS.items():
        for folder in [folders] if isinstance(folders, str) else folders:
            _same_files(tmp_path / 'two' / folder, tmp_path / 'one' / folder,
                        16, step)
