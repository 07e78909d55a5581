"""A work dir that cannot hold a silently wrong result (issue 22): data
edits invalidate finished stages, one run per work dir, markers name only
files inside it, every stage spec and override is checked before anything
runs, and photos have one size everywhere (EXIF orientation)."""
import json
import os
import os.path as osp
import subprocess
import sys
import time

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from conftest import REPO

CLASSES = ('disc', 'box')


def _photo(path, seed, size=(48, 40), orientation=None):
    rng = np.random.RandomState(seed)
    pixels = (rng.rand(size[1], size[0], 3) * 255).astype(np.uint8)
    img = Image.fromarray(pixels)
    if orientation is None:
        img.save(path, quality=95)
    else:
        exif = img.getexif()
        exif[0x0112] = orientation
        img.save(path, quality=95, exif=exif.tobytes())


def _tagged_folder(root, count=12):
    """``count`` photos tagged alternately disc / box (6 each)."""
    images = root / 'images'
    images.mkdir(parents=True)
    lines = []
    for index in range(count):
        _photo(images / f'img_{index:02d}.jpg', index)
        lines.append(f'img_{index:02d} {CLASSES[index % 2]}')
    (root / 'labels.txt').write_text('\n'.join(lines) + '\n')
    return root


def _saliency_pipeline(data, work):
    """One cheap stage (spectral saliency) over a tagged folder."""
    dataset = dict(type='ImageLabelFolderDataset', data_root=str(data),
                   data_prefix=dict(img_path='images'), split='all',
                   pipeline=[dict(type='LoadImageFromFile')])
    stage_cfg = dict(default_scope='mmseg',
                     cam_dataloader=dict(batch_size=2, dataset=dataset))
    return Config(dict(
        work_dir=str(work),
        stages=dict(saliency=dict(
            type='SaliencyStage', config=stage_cfg,
            saliency=dict(type='SpectralResidualSaliency')))))


@pytest.fixture
def saliency_run(init_scope, tmp_path):
    from mmwsss.stages import run_stages
    data = _tagged_folder(tmp_path / 'DATA')
    cfg = _saliency_pipeline(data, tmp_path / 'work')
    run_stages(cfg)
    return cfg, data


def test_a_changed_tag_names_the_images_and_redo_follows(saliency_run):
    from mmwsss.stages import StageError, run_stages
    cfg, data = saliency_run
    labels = data / 'labels.txt'
    labels.write_text(labels.read_text().replace('img_03 box', 'img_03 disc'))
    with pytest.raises(StageError, match=r"stage 'saliency'.*data "
                       r'cam_dataloader \(1 images with other tags '
                       r'\(images/img_03.jpg\)\).*--redo-changed'):
        run_stages(cfg)
    markers = run_stages(cfg, redo_changed=True)
    assert markers['saliency']['tally']['written'] == 12


def test_a_replaced_photo_and_a_new_one_are_named(saliency_run):
    from mmwsss.stages import StageError, run_stages
    cfg, data = saliency_run
    time.sleep(0.01)
    _photo(data / 'images' / 'img_05.jpg', 99)
    with pytest.raises(StageError, match=r'image files replaced or edited '
                       r'\(images/img_05.jpg\)'):
        run_stages(cfg)
    _photo(data / 'images' / 'img_12.jpg', 12)
    with (data / 'labels.txt').open('a') as handle:
        handle.write('img_12 box\n')
    with pytest.raises(StageError, match=r'1 images added '
                       r'\(images/img_12.jpg\)'):
        run_stages(cfg)


def test_an_unchanged_dataset_is_skipped(saliency_run, capsys):
    from mmwsss.stages import run_stages
    cfg, _ = saliency_run
    stamp = os.stat(osp.join(cfg.work_dir, 'saliency',
                             'stage_done.json')).st_mtime_ns
    run_stages(cfg)
    assert os.stat(osp.join(cfg.work_dir, 'saliency',
                            'stage_done.json')).st_mtime_ns == stamp
    check = json.load(open(osp.join(cfg.work_dir, 'dataset_check.json')))
    assert [c['train'] for c in check['classes']] == [6, 6]


def test_a_copied_dataset_with_new_file_times_is_skipped(saliency_run):
    """Contents, not times: a copy of the same data (every file touched)
    keeps the stage; the file hashes are read again once, then cached."""
    from mmwsss.stages import run_stages
    cfg, data = saliency_run
    marker = osp.join(cfg.work_dir, 'saliency', 'stage_done.json')
    stamp = os.stat(marker).st_mtime_ns
    for photo in (data / 'images').iterdir():
        os.utime(photo, ns=(1, photo.stat().st_mtime_ns + 10**9))
    run_stages(cfg)
    assert os.stat(marker).st_mtime_ns == stamp
    hashes = json.load(open(osp.join(cfg.work_dir, '.datasets',
                                     'file_hashes.json')))
    assert len(hashes) == 12
    assert all(entry[1] > 10**9 for entry in hashes.values())


def test_rare_classes_stop_the_run_before_any_stage(init_scope, tmp_path):
    from mmwsss.stages import run_stages
    data = _tagged_folder(tmp_path / 'DATA', count=7)  # box: 3 images
    cfg = _saliency_pipeline(data, tmp_path / 'work')
    with pytest.raises(ValueError, match=r"'box'.*3"):
        run_stages(cfg)
    assert not osp.exists(tmp_path / 'work' / 'saliency')
    cfg.dataset_check = dict(allow_rare=True)
    assert run_stages(cfg)['saliency']['tally']['written'] == 7


def test_a_marker_naming_a_file_outside_its_stage_is_refused(tmp_path):
    from mmwsss.stages import StageError
    from mmwsss.stages.pipeline import resolve_inputs
    outside = tmp_path / 'evil.pth'
    outside.write_bytes(b'not a checkpoint')
    stage = tmp_path / 'work' / 'psl'
    stage.mkdir(parents=True)
    for target in (str(outside), '../../evil.pth'):
        (stage / 'stage_done.json').write_text(json.dumps(dict(
            outputs=dict(checkpoint=target), files={}, run_id='x')))
        with pytest.raises(StageError, match='outside the stage folder'):
            resolve_inputs('test', dict(checkpoint='psl.checkpoint'),
                           str(tmp_path / 'work'), ['psl', 'test'])


def test_a_tampered_marker_never_reaches_the_unpickler(tmp_path):
    """tools/test.py with a work dir whose marker names a checkpoint
    outside it stops before loading anything (the payload would write a
    file)."""
    from conftest import run_tool
    payload = tmp_path / 'payload.pth'
    sentinel = tmp_path / 'ran'
    code = ('import pickle, os\n'
            'class P:\n'
            '    def __reduce__(self):\n'
            f'        return (os.system, ("touch {sentinel}",))\n'
            f'pickle.dump(P(), open("{payload}", "wb"))\n')
    subprocess.run([sys.executable, '-c', code], check=True)
    work = tmp_path / 'work'
    stage = work / 'psl_plus'
    stage.mkdir(parents=True)
    (stage / 'stage_done.json').write_text(json.dumps(dict(
        stage='psl_plus', type='TrainStage', run_id='x', files={},
        outputs=dict(checkpoint=str(payload)))))
    result = run_tool('tools/test.py',
                      osp.join(
                          REPO, 'configs',
                          'ae-psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py'),
                      str(work), check=False)
    assert result.returncode != 0
    assert 'outside the stage folder' in result.stderr
    assert not sentinel.exists()


def test_every_spec_problem_is_listed_with_the_closest_name(init_scope):
    from mmwsss.stages import StageError
    from mmwsss.stages.graph import check_specs, ordered_specs
    specs = ordered_specs(dict(
        psl=dict(type='TrainStage', config='x.py'),
        masks=dict(type='PseudoLabelStage', config='x.py', worker=1),
        test=dict(type='TestStag', config='x.py'),
        score=dict(type='ScoreLabelsStage', config='{segmentr}',
                   inputs=dict(checkpoint='psll.checkpoint'))))
    with pytest.raises(StageError) as error:
        check_specs(specs, dict(segmentor='y.py'))
    text = str(error.value)
    assert 'has 4 problems' in text
    assert "unknown option 'worker' (did you mean 'workers'?)" in text
    assert "unknown stage type 'TestStag' (did you mean 'TestStage'?)" in text
    assert "names no stage of this pipeline (did you mean 'psl'?)" in text
    assert "unknown placeholder {segmentr} (did you mean 'segmentor'?)" in text


def test_overrides_that_match_nothing_are_errors():
    from mmwsss.stages import check_overrides
    cfg = Config(dict(model=dict(type='X'), train_dataloader=dict()))
    with pytest.raises(ValueError, match=r'seed.*randomness.seed'):
        check_overrides(cfg, {'seed': 123}, 'a.py')
    with pytest.raises(ValueError, match=r"'train_dataloadr'.*did you mean "
                       r"'train_dataloader'"):
        check_overrides(cfg, {'train_dataloadr.batch_size': 2}, 'a.py')
    check_overrides(cfg, {'model.type': 'Y', 'randomness.seed': 1}, 'a.py')
    # deeper parts follow the rule of a pipeline's cfg_options: each part
    # but the last must exist (a dataset argument may be new)
    cfg = Config(dict(train_dataloader=dict(dataset=dict(type='D'))))
    with pytest.raises(ValueError, match=r"'train_dataloader.datset'.*did "
                       r"you mean 'dataset'"):
        check_overrides(cfg, {'train_dataloader.datset.x': 1}, 'a.py')
    check_overrides(cfg, {'train_dataloader.dataset.new_arg': 1}, 'a.py')
    pipeline = Config(dict(stages=dict(psl=dict(type='TrainStage')),
                           data_root='d'))
    with pytest.raises(ValueError, match=r"no stage 'psll'"):
        check_overrides(pipeline, {'stages.psll.config': 'x'}, 'p.py')
    check_overrides(pipeline, {'stages.psl.config': 'x', 'data_root': 'e'},
                    'p.py')


def test_an_unfinished_stage_with_other_settings_is_redone(saliency_run):
    """A stage that only started made nothing complete: other settings
    move its partial folder aside instead of refusing."""
    from mmwsss.stages import run_stages
    cfg, _ = saliency_run
    stage_dir = osp.join(cfg.work_dir, 'saliency')
    os.remove(osp.join(stage_dir, 'stage_done.json'))
    cfg.stages.saliency.batch_size = 3
    markers = run_stages(cfg)
    assert markers['saliency']['tally']['written'] == 12
    assert [p for p in os.listdir(cfg.work_dir) if '.stale-' in p]


def test_a_second_run_in_a_work_dir_stops_at_once(tmp_path):
    from mmwsss.utils.work_dir_lock import WorkDirBusyError, work_dir_lock
    work = str(tmp_path / 'work')
    holder = subprocess.Popen(
        [sys.executable, '-c',
         'import sys, time\n'
         'from mmwsss.utils.work_dir_lock import work_dir_lock\n'
         f'with work_dir_lock({work!r}, "first run"):\n'
         '    print("held", flush=True)\n'
         '    time.sleep(60)\n'],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'held'
        with pytest.raises(WorkDirBusyError,
                           match=rf'in use by process {holder.pid} .*'
                           r'started 20.*first run'):
            with work_dir_lock(work):
                pass
    finally:
        holder.kill()
        holder.wait()
    with work_dir_lock(work):  # the dead holder's lock is free again
        pass


def test_a_lock_left_by_a_dead_run_is_taken_over_with_a_message(
        tmp_path, monkeypatch):
    from mmwsss.utils import work_dir_lock as lock
    said = []
    monkeypatch.setattr(lock, 'print_log', lambda msg, **kw: said.append(msg))
    work = tmp_path / 'work'
    work.mkdir()
    (work / lock.LOCK_NAME).write_text(json.dumps(dict(
        pid=999999, host='h', started='2026-12-01 10:00:00', command='old')))
    with lock.work_dir_lock(str(work)):
        pass
    assert len(said) == 1
    assert 'taking over the lock left by process 999999' in said[0]
    with lock.work_dir_lock(str(work)):  # a clean release: no message
        pass
    assert len(said) == 1
    LOCK_NAME = lock.LOCK_NAME
    assert (work / LOCK_NAME).read_text() == ''


@pytest.mark.parametrize('orientation', [6, 8])
def test_a_sideways_phone_photo_has_its_displayed_size(tmp_path,
                                                       orientation):
    from mmwsss.utils.io import check_decoded_size, image_size, read_image
    path = str(tmp_path / 'phone.jpg')
    _photo(path, 0, size=(60, 40), orientation=orientation)
    assert image_size(path) == (60, 40) == read_image(path).shape[:2]
    assert check_decoded_size(path) is None


def test_a_photo_decoded_against_its_orientation_is_named(tmp_path,
                                                          monkeypatch):
    from mmwsss.utils import images as io
    path = str(tmp_path / 'phone.jpg')
    _photo(path, 0, size=(60, 40), orientation=6)
    monkeypatch.setattr(io, 'read_image',
                        lambda p, *a, **k: np.zeros((40, 60, 3), np.uint8))
    assert 'phone.jpg: EXIF orientation 6 displays the photo as 40x60, ' \
        'but it decodes as 60x40' in io.check_decoded_size(path)


def test_a_misspelt_stage_name_gets_the_closest(saliency_run):
    from mmwsss.stages import StageError, run_stages
    cfg, _ = saliency_run
    with pytest.raises(StageError, match=r"no stage 'salency' in this config "
                       r"\(did you mean 'saliency'\?\)"):
        run_stages(cfg, only='salency')


def test_train_tool_ends_bad_input_with_a_message_not_a_traceback(
        tmp_path):
    from conftest import run_tool
    result = run_tool('tools/train.py', osp.join(
        REPO, 'configs', 'ae-psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py'),
        '--work-dir', str(tmp_path / 'w'), '--cfg-options', 'seed=123',
        check=False)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    assert "train.py: error:" in result.stderr
    assert 'randomness.seed (or the --seed flag)' in result.stderr


def test_config_helper_keys_are_not_part_of_a_fingerprint():
    """A shared block moved into a fragment leaves a ``_``-prefixed helper
    key in every config that takes it: the stages keep their fingerprint
    (what the helper sets is hashed where it is used)."""
    from mmengine.config import Config

    from mmwsss.stages.pipeline import build_stage
    from mmwsss.stages.record import fingerprint
    stage = build_stage('psl', dict(type='TrainStage', config='x.py'))
    plain = Config(dict(optim_wrapper=dict(lr=0.1)))
    helped = Config(dict(optim_wrapper=dict(lr=0.1),
                         _shared_optim_wrapper=dict(lr=0.1)))
    changed = Config(dict(optim_wrapper=dict(lr=0.2),
                          _shared_optim_wrapper=dict(lr=0.1)))
    prints = [fingerprint(stage, cfg, {}, '/w')['config']
              for cfg in (plain, helped, changed)]
    assert prints[0] == prints[1] != prints[2]
