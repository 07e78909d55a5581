"""Shared fixtures of the mmwsss test-suite."""
import os
from pathlib import Path

import pytest

SHARED_MISSING = '../shared not found: real-data test skipped'


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
    generate_synthetic_dataset(
        root, num_train=24, num_val=8, image_size=64, seed=0)
    return root


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
