"""Shared fixtures of the mmwsss test-suite.

The expensive one is :func:`pipeline_run`: the README demo (the synthetic
AE-PSL pipeline, tools/demo.py) run once per session on the tiny fixture
data; every test that needs a trained classifier, segmentor, pseudo masks
or a finished work dir reads its outputs instead of training again.
"""
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from helpers import DATALOADERS

SHARED_MISSING = '../shared not found: real-data test skipped'
REPO = str(Path(__file__).resolve().parents[1])
TINY = dict(num_train=24, num_val=8, image_size=64)


@pytest.fixture
def init_scope():
    """MMSeg default scope with every mmwsss module registered."""
    from mmengine.registry import init_default_scope
    init_default_scope('mmseg')
    import mmwsss
    return mmwsss


@pytest.fixture(scope='session')
def synthetic_root(tmp_path_factory):
    """A small synthetic WSSS dataset (VOC layout), generated once."""
    from mmwsss.datasets import generate_synthetic_dataset
    root = str(tmp_path_factory.mktemp('synthetic'))
    generate_synthetic_dataset(root, seed=0, **TINY)
    return root


def pipeline_options(root):
    """``--cfg-options`` of a pipeline config pointing every stage's
    dataloaders at the tiny fixture data."""
    return [f'common_cfg_options.{key}.dataset.{arg}={value}'
            for key in DATALOADERS
            for arg, value in dict(data_root=root, **TINY).items()]


def free_port() -> int:
    """A TCP port nobody listens on, for torchrun's rendezvous."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run_tool(*args, timeout=1500, check=True, env=None, cwd=REPO):
    """Run ``python args...`` (in the repository unless ``cwd`` says
    otherwise), as a user would."""
    result = subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True,
        timeout=timeout, env=dict(os.environ, **(env or {})))
    if check:
        assert result.returncode == 0, \
            result.stdout[-3000:] + result.stderr[-5000:]
    return result


@pytest.fixture(scope='session')
def pipeline_run(synthetic_root, tmp_path_factory):
    """tools/demo.py (the whole synthetic AE-PSL pipeline) once, on the
    tiny data.  A 24-image classifier finds few objects, so the mask stages'
    empty-image guard is relaxed here."""
    work = tmp_path_factory.mktemp('pipeline') / 'demo'
    options = pipeline_options(synthetic_root)  # data_root included: the
    # tests rerun stages with tools/train.py, which has no --data-root
    relaxed = [f'stages.{name}.max_empty_share=1.0'
               for name in ('pseudo_labels', 'psl_plus_labels',
                            'psl_online_labels', 'cam_labels', 'ae_labels')]
    result = run_tool('tools/demo.py', '--work-dir', str(work),
                      '--data-root', synthetic_root, '--cfg-options',
                      *options, *relaxed)
    return SimpleNamespace(work_dir=work, stdout=result.stdout,
                           options=options + relaxed,
                           num_train=TINY['num_train'])


@pytest.fixture(scope='session')
def shared_dir():
    """The project's shared data folder (``MMWSSS_SHARED`` or ../shared).

    It may not exist: fixtures that need it skip the test then.
    """
    env = os.environ.get('MMWSSS_SHARED')
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / 'shared'


@pytest.fixture(scope='session')
def msrc17_root(shared_dir):
    """``shared/data/msrc17`` as a string, or skip the test."""
    root = Path(shared_dir) / 'data' / 'msrc17'
    if not root.is_dir():
        pytest.skip(SHARED_MISSING)
    return str(root)
