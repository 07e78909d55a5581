"""Checkpoints are never unpickled unasked, and never left half-written.

Issue 22: a tampered ``.pth`` in a work dir must not run code when a stage
resumes, a ``last_checkpoint`` pointing elsewhere must not be followed, a
full disk must not leave a truncated checkpoint behind, and written files
follow the user's umask.
"""
import builtins
import contextlib
import errno
import os
import os.path as osp
import pickle
import uuid
import warnings
from typing import Iterator

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.fileio import get_file_backend
from mmengine.hooks import Hook, checkpoint_hook
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner, load_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader
from torch.utils.data import Dataset

from mmwsss.apis.training import latest_complete_checkpoint, train_resumable
from mmwsss.utils.checkpoints import (UnsafeCheckpointError,
                                      UntrustedCheckpointWarning,
                                      history_buffer_getattr, is_inside,
                                      load_safely, protect_work_dir,
                                      protecting_dir, unprotect_work_dir)
from mmwsss.utils.io import atomic_write
from conftest import REPO, TINY
from helpers import DATALOADERS


# ------------------------------------------------------------ toy runner
class ToyModel(BaseModel):
    """The smallest trainable MMEngine model."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x, y, mode='tensor'):
        out = self.fc(x)
        if mode == 'loss':
            return dict(loss=((out - y)**2).mean())
        return out


class ToyData(Dataset):

    def __len__(self) -> int:
        return 8

    def __getitem__(self, index: int) -> dict:
        return dict(x=torch.full((2, ), float(index)), y=torch.ones(1))


class NumpyInfoHook(Hook):
    """Puts numpy values into the runtime info, as metrics hooks do, and
    records which epochs were trained."""

    def __init__(self) -> None:
        self.trained_epochs = []

    def before_train_epoch(self, runner) -> None:
        self.trained_epochs.append(runner.epoch)

    def after_train_epoch(self, runner) -> None:
        runner.message_hub.update_info('np_float', np.float32(1.5))
        runner.message_hub.update_info('np_int', np.int64(runner.epoch))
        runner.message_hub.update_info('np_array', np.arange(3))


def toy_runner(work_dir, max_epochs=1, **kwargs) -> Runner:
    return Runner(
        model=ToyModel(), work_dir=str(work_dir),
        experiment_name=f'safety-{uuid.uuid4().hex}',
        train_dataloader=dict(
            dataset=ToyData(), batch_size=4,
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        custom_hooks=[NumpyInfoHook()],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                           interval=1)),
        **kwargs)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """A work dir holding ``epoch_1.pth`` saved by MMEngine's Runner, and
    the runner (optimizer built, so it can save again)."""
    work_dir = tmp_path_factory.mktemp('toy_work_dir')
    runner = toy_runner(work_dir)
    runner.train()
    return work_dir, runner


@pytest.fixture
def protected(tmp_path):
    """``tmp_path`` registered as a protected work dir for one test."""
    protect_work_dir(str(tmp_path))
    yield tmp_path
    unprotect_work_dir(str(tmp_path))


@contextlib.contextmanager
def no_untrusted_warning() -> Iterator[None]:
    """Falling back to full unpickling fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter('error', UntrustedCheckpointWarning)
        yield


# ------------------------------------------------------------ payloads
class Payload:
    """Unpickling this runs code: it creates ``sentinel``."""

    def __init__(self, sentinel: str) -> None:
        self.sentinel = sentinel

    def __reduce__(self):
        return exec, (f'open({self.sentinel!r}, "w").close()', )


class GetattrPayload:
    """Asks the unpickler for ``getattr(HistoryBuffer, name)``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __reduce__(self):
        return getattr, (HistoryBuffer, self.name)


def write_payload(path, sentinel) -> str:
    torch.save(dict(state_dict=dict(w=torch.zeros(1)),
                    meta=Payload(str(sentinel))), str(path))
    return str(path)


# -------------------------------------------------------- A: unpickling
def test_payload_in_protected_dir_is_refused_unrun(protected, tmp_path):
    sentinel = tmp_path / 'sentinel'
    path = write_payload(protected / 'epoch_3.pth', sentinel)
    with pytest.raises(UnsafeCheckpointError) as info:
        CheckpointLoader.load_checkpoint(path)
    message = str(info.value)
    assert path in message and 'allowlist' in message
    assert str(protected) in message and 'exec' in message
    with pytest.raises(UnsafeCheckpointError, match='epoch_3.pth'):
        load_checkpoint(nn.Linear(1, 1), path)
    assert not sentinel.exists()


def test_symlink_in_protected_dir_to_outside_payload_is_refused(
        protected, tmp_path_factory):
    outside = tmp_path_factory.mktemp('elsewhere')
    sentinel = outside / 'sentinel'
    target = write_payload(outside / 'evil.pth', sentinel)
    link = protected / 'epoch_4.pth'
    os.symlink(target, link)
    assert protecting_dir(str(link)) == str(protected)
    with pytest.raises(UnsafeCheckpointError, match='epoch_4.pth'):
        CheckpointLoader.load_checkpoint(str(link))
    assert not sentinel.exists()


def test_payload_outside_protected_dirs_loads_with_a_warning(tmp_path):
    sentinel = tmp_path / 'sentinel'
    path = write_payload(tmp_path / 'pretrained.pth', sentinel)
    assert protecting_dir(path) is None
    with pytest.warns(UntrustedCheckpointWarning) as record:
        checkpoint = CheckpointLoader.load_checkpoint(path)
    message = str(record[0].message)
    assert path in message and "user's choice" in message
    assert sentinel.exists()  # the user named it: their choice
    assert torch.equal(checkpoint['state_dict']['w'], torch.zeros(1))


def test_runner_checkpoint_loads_with_weights_only(trained):
    work_dir, _ = trained
    path = str(work_dir / 'epoch_1.pth')
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)  # torch alone refuses it
    checkpoint = load_safely(path)
    info = checkpoint['message_hub']['runtime_info']
    assert info['np_float'] == np.float32(1.5)
    assert isinstance(info['np_int'], np.int64)
    assert np.array_equal(info['np_array'], np.arange(3))
    buffer = checkpoint['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer) and len(buffer.data[0]) > 0
    assert buffer.statistics('mean') == buffer.mean()


def test_empty_history_buffer_loads_with_weights_only(protected):
    # protocol 2 pickles an empty array's b'' as a call bytes()
    path = str(protected / 'epoch_1.pth')
    torch.save(dict(meta=dict(buffer=HistoryBuffer())), path)
    with no_untrusted_warning():
        loaded = CheckpointLoader.load_checkpoint(path)
    assert loaded['meta']['buffer'].data[0].size == 0


def test_runner_resumes_from_protected_work_dir(trained, tmp_path,
                                                monkeypatch):
    work_dir, _ = trained
    real_load, modes = torch.load, []

    def recording_load(*args, **kwargs):
        modes.append(kwargs.get('weights_only'))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, 'load', recording_load)
    resume_dir = tmp_path / 'resumed'
    resume_dir.mkdir()
    start = resume_dir / 'epoch_1.pth'
    start.write_bytes((work_dir / 'epoch_1.pth').read_bytes())
    protect_work_dir(str(resume_dir))
    try:
        runner = toy_runner(resume_dir, max_epochs=2, resume=True,
                            load_from=str(start))
        with no_untrusted_warning():
            runner.train()
    finally:
        unprotect_work_dir(str(resume_dir))
    hook = next(h for h in runner.hooks if isinstance(h, NumpyInfoHook))
    assert hook.trained_epochs == [1]  # the first one was resumed
    assert (runner.epoch, runner.iter) == (2, 4)
    assert modes == [True]  # never unpickled fully
    assert runner.message_hub.get_info('np_int') == 1  # the 2nd epoch's
    assert (resume_dir / 'epoch_2.pth').is_file()


@pytest.mark.parametrize('name', ['update', '__init__', '__class__',
                                  '_statistics_methods', 'statistics'])
def test_restricted_getattr_refuses_other_attributes(name):
    with pytest.raises(pickle.UnpicklingError, match=repr(name)):
        history_buffer_getattr(HistoryBuffer, name)


def test_restricted_getattr_answers_only_statistics_methods():
    for name in ('min', 'max', 'current', 'mean'):
        assert history_buffer_getattr(HistoryBuffer, name) is getattr(
            HistoryBuffer, name)
    with pytest.raises(pickle.UnpicklingError):
        history_buffer_getattr(os, 'system')
    with pytest.raises(pickle.UnpicklingError):
        history_buffer_getattr(HistoryBuffer(), 'min')
    with pytest.raises(pickle.UnpicklingError):
        history_buffer_getattr(HistoryBuffer, 'min', None)


def test_getattr_payload_in_a_checkpoint_is_refused(protected):
    path = str(protected / 'epoch_5.pth')
    torch.save(dict(meta=GetattrPayload('update')), path)
    with pytest.raises(UnsafeCheckpointError, match="'update'"):
        CheckpointLoader.load_checkpoint(path)


def test_is_inside_resolves_symlinks(tmp_path):
    inner, outer = tmp_path / 'work', tmp_path / 'other'
    inner.mkdir()
    outer.mkdir()
    os.symlink(outer, inner / 'link')
    assert is_inside(str(inner / 'a.pth'), str(inner))
    assert is_inside(str(inner), str(inner))
    assert not is_inside(str(inner / 'link' / 'a.pth'), str(inner))
    assert not is_inside(str(tmp_path / 'work2' / 'a.pth'), str(inner))
    assert not is_inside(str(inner / '..' / 'other' / 'a'), str(inner))


def test_resume_from_outside_the_work_dir_is_refused(trained, tmp_path):
    work_dir, _ = trained
    elsewhere = str(work_dir / 'epoch_1.pth')
    mine = tmp_path / 'work'
    mine.mkdir()
    (mine / 'last_checkpoint').write_text(elsewhere)
    with pytest.raises(ValueError) as info:
        latest_complete_checkpoint(str(mine))
    assert elsewhere in str(info.value) and str(mine) in str(info.value)


def test_symlinked_epoch_file_to_outside_is_refused(trained, tmp_path):
    work_dir, _ = trained
    os.symlink(work_dir / 'epoch_1.pth', tmp_path / 'epoch_7.pth')
    with pytest.raises(ValueError, match='outside the work dir'):
        latest_complete_checkpoint(str(tmp_path))


def test_project_checkpoint_loads_safely_and_resumes(synthetic_root,
                                                     tmp_path, monkeypatch):
    """A CAM classifier of this project, trained and resumed by
    ``train_resumable`` (random states and runtime info included)."""
    from mmengine.registry import init_default_scope

    from mmwsss.utils import checkpoints
    init_default_scope('mmseg')
    loaded = []

    def recording(filename, *args, **kwargs):
        loaded.append(filename)
        return load_safely(filename, *args, **kwargs)

    monkeypatch.setattr(checkpoints, 'load_safely', recording)
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'cam',
                 'cam_tinyr18-d8_1xb16-20e_synthetic-96x96.py'))
    for key in DATALOADERS:
        cfg[key].dataset.update(data_root=synthetic_root, **TINY)
    cfg.work_dir = str(tmp_path / 'cam')
    cfg.train_cfg.max_epochs, cfg.train_cfg.val_interval = 1, 100
    cfg.experiment_name = f'safety-{uuid.uuid4().hex}'
    with no_untrusted_warning():
        first = train_resumable(cfg)
        assert protecting_dir(first) == cfg.work_dir
        assert 'random_states' in load_safely(first)
        cfg.train_cfg.max_epochs = 2
        cfg.experiment_name = f'safety-{uuid.uuid4().hex}'
        second = train_resumable(cfg)
    unprotect_work_dir(cfg.work_dir)
    assert loaded == [first]  # the second run resumed, safely
    assert osp.basename(second) == 'epoch_2.pth'
    assert load_safely(second)['meta']['epoch'] == 2


# ------------------------------------------------------- B: disk writes
class FillingFile:
    """A file on a disk with room for ``room`` more bytes: the write that
    overflows it writes what fits, then fails with ENOSPC."""

    def __init__(self, handle, room: int) -> None:
        self.handle, self.room = handle, room

    def write(self, data):
        if len(data) <= self.room:
            self.room -= len(data)
            return self.handle.write(data)
        self.handle.write(data[:self.room])
        self.handle.flush()
        self.room = 0
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.handle.close()


@pytest.fixture
def full_disk(monkeypatch, tmp_path):
    """Writes under ``tmp_path`` (through ``open`` or ``os.fdopen``) run
    out of space after ``room`` bytes; returns a setter for ``room``."""
    real_open, real_fdopen = builtins.open, os.fdopen
    state = dict(room=16)

    def fake_open(file, mode='r', *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if 'w' in mode and str(file).startswith(str(tmp_path)):
            return FillingFile(handle, state['room'])
        return handle

    def fake_fdopen(fd, *args, **kwargs):
        return FillingFile(real_fdopen(fd, *args, **kwargs), state['room'])

    monkeypatch.setattr(builtins, 'open', fake_open)
    monkeypatch.setattr(os, 'fdopen', fake_fdopen)
    return state


def assert_disk_full_error(error, path) -> None:
    assert error.errno == errno.ENOSPC
    assert path in str(error) and 'disk is full' in str(error)
    assert 'nothing was left half-written' in str(error)


def test_atomic_write_on_full_disk_leaves_nothing(full_disk, tmp_path):
    path = str(tmp_path / 'cams' / 'img.npz')
    with pytest.raises(OSError) as info:
        with atomic_write(path) as handle:
            handle.write(b'x' * 100)
    assert_disk_full_error(info.value, path)
    assert os.listdir(tmp_path / 'cams') == []


def test_atomic_write_on_full_disk_keeps_the_old_file(full_disk, tmp_path):
    path = tmp_path / 'label.png'
    path.write_bytes(b'old')
    with pytest.raises(OSError, match='disk is full'):
        with atomic_write(str(path)) as handle:
            handle.write(b'new' * 100)
    assert path.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['label.png']


def test_file_backend_put_on_full_disk_leaves_nothing(full_disk, tmp_path):
    path = str(tmp_path / 'scalars.json')
    backend = get_file_backend(path)
    with pytest.raises(OSError) as info:
        backend.put_text('{"loss": 1.0}' * 10, path)
    assert_disk_full_error(info.value, path)
    assert os.listdir(tmp_path) == []
    backend.put_text('short', path)  # fits in the room left
    assert open(path).read() == 'short'


def test_runner_checkpoint_on_full_disk_leaves_nothing(trained, full_disk,
                                                       tmp_path):
    _, runner = trained
    full_disk['room'] = 1000  # a fraction of the checkpoint
    with pytest.raises(OSError) as info:
        runner.save_checkpoint(str(tmp_path), 'epoch_9.pth')
    assert_disk_full_error(info.value, str(tmp_path / 'epoch_9.pth'))
    assert os.listdir(tmp_path) == []


def test_last_checkpoint_pointer_on_full_disk_is_kept(full_disk, tmp_path):
    pointer = tmp_path / 'last_checkpoint'
    pointer.write_text('work/epoch_1.pth')
    full_disk['room'] = 4
    with pytest.raises(OSError, match='disk is full'):
        with checkpoint_hook.open(str(pointer), 'w') as handle:
            handle.write('work/epoch_2.pth')
    assert pointer.read_text() == 'work/epoch_1.pth'
    assert os.listdir(tmp_path) == ['last_checkpoint']


@pytest.mark.parametrize('umask, expected', [(0o022, 0o644), (0o002, 0o664),
                                             (0o077, 0o600)])
def test_written_files_follow_the_umask(tmp_path, umask, expected):
    old = os.umask(umask)
    try:
        with atomic_write(str(tmp_path / 'mask.png')) as handle:
            handle.write(b'png')
        get_file_backend(str(tmp_path)).put(b'ckpt',
                                            str(tmp_path / 'epoch_1.pth'))
    finally:
        os.umask(old)
    for name in ('mask.png', 'epoch_1.pth'):
        assert os.stat(tmp_path / name).st_mode & 0o777 == expected, name
