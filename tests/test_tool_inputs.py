"""What tools/infer.py and tools/test.py do with inputs that are not what
they expect: unreadable images among good ones, an output folder written
by another model, data whose class names are not the checkpoint's.

The model is the tiny synthetic PSL segmentor, untrained: its weights are
saved with a chosen ``dataset_meta`` in a few seconds, so no training run
is needed (what the masks look like does not matter here)."""
import json
import os
import os.path as osp
import shutil

import pytest

from conftest import REPO, run_tool
from helpers import tiny_synthetic_options

CONFIG = osp.join(REPO, 'configs', 'psl',
                  'psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py')
OTHER_CLASSES = ('background', 'cat', 'dog', 'cow', 'sheep')


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    """Untrained checkpoints of CONFIG: ``a`` and ``b`` (other weights,
    the synthetic classes), ``other`` (the classes named otherwise) and
    ``nameless`` (no class names in its meta)."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner.checkpoint import save_checkpoint

    from mmwsss.apis import prepare_config
    from mmwsss.datasets import SYNTHETIC_CLASSES, voc_palette
    from mmwsss.registry import MODELS
    init_default_scope('mmseg')
    cfg = prepare_config(Config.fromfile(CONFIG), CONFIG)
    folder = tmp_path_factory.mktemp('checkpoints')
    paths = {}
    for seed, (name, classes) in enumerate(dict(
            a=SYNTHETIC_CLASSES, b=SYNTHETIC_CLASSES, other=OTHER_CLASSES,
            nameless=None).items()):
        torch.manual_seed(seed)
        model = MODELS.build(cfg.model.copy())
        meta = {} if classes is None else dict(dataset_meta=dict(
            classes=classes, palette=voc_palette(len(classes))))
        paths[name] = str(folder / f'{name}.pth')
        save_checkpoint(dict(state_dict=model.state_dict(), meta=meta),
                        paths[name])
    return paths


@pytest.fixture
def photos(synthetic_root, tmp_path):
    """A folder of three good images (synthetic val images)."""
    folder = tmp_path / 'photos'
    folder.mkdir()
    jpegs = osp.join(synthetic_root, 'JPEGImages')
    for name in sorted(os.listdir(jpegs))[:3]:
        shutil.copy(osp.join(jpegs, name), folder)
    return folder


def infer(checkpoint, *args):
    """tools/infer.py with the tiny config, in batches of 2 (so a skipped
    image falls inside a batch); the caller checks the exit status."""
    return run_tool('tools/infer.py', CONFIG, checkpoint, *map(str, args),
                    '--batch-size', '2', check=False, timeout=600)


def masks(out):
    return sorted(name for name in os.listdir(out) if name.endswith('.png'))


# ------------------------------------------------------- unreadable images
@pytest.mark.subprocess
def test_infer_skips_an_unreadable_image_and_lists_it(checkpoints, photos,
                                                      tmp_path):
    good = sorted(os.listdir(photos))
    data = open(photos / good[0], 'rb').read()
    (photos / 'aa_cut.jpg').write_bytes(data[:len(data) // 2])  # truncated
    out = tmp_path / 'out'
    first = infer(checkpoints['a'], photos, '--out', out)
    assert first.returncode == 2, first.stderr[-3000:]
    assert '3 masks written' in first.stdout
    assert '1 image(s) skipped' in first.stderr
    assert f'{photos / "aa_cut.jpg"}: JPEG is truncated' in first.stderr
    assert masks(out) == [osp.splitext(n)[0] + '.png' for n in good]
    assert len(os.listdir(out / 'overlays')) == 3
    # the rerun is not stuck on it: the good ones are done, it is listed
    again = infer(checkpoints['a'], photos, '--out', out)
    assert again.returncode == 2
    assert '0 masks written, 3 already there' in again.stdout
    assert 'aa_cut.jpg: JPEG is truncated' in again.stderr
    # repaired, it is the only one left to do
    (photos / 'aa_cut.jpg').write_bytes(data)
    fixed = infer(checkpoints['a'], photos, '--out', out)
    assert fixed.returncode == 0, fixed.stderr[-3000:]
    assert '1 masks written, 3 already there' in fixed.stdout


@pytest.mark.subprocess
def test_infer_strict_stops_at_the_first_unreadable_image(checkpoints,
                                                          photos, tmp_path):
    (photos / 'empty.png').write_bytes(b'')
    result = infer(checkpoints['a'], photos, '--out', tmp_path / 'out',
                   '--strict')
    assert result.returncode == 1
    assert f'{photos / "empty.png"}: image file is empty' in result.stderr
    assert '--strict' in result.stderr


@pytest.mark.subprocess
def test_infer_names_files_that_are_not_images(checkpoints, photos,
                                               tmp_path):
    (photos / 'notes.jpg').write_text('remember the milk\n')
    (photos / 'noise.png').write_bytes(os.urandom(2000))
    out = tmp_path / 'out'
    result = infer(checkpoints['a'], photos, '--out', out)
    assert result.returncode == 2, result.stderr[-3000:]
    assert 'AssertionError' not in result.stderr
    assert '2 image(s) skipped' in result.stderr
    for name in ('notes.jpg', 'noise.png'):
        assert f'{photos / name}: cannot decode image' in result.stderr
    assert len(masks(out)) == 3


# ------------------------------------------------------ one model per --out
@pytest.mark.subprocess
def test_infer_refuses_a_second_model_in_the_same_out(checkpoints, photos,
                                                      tmp_path):
    out = tmp_path / 'out'
    run_tool('tools/infer.py', CONFIG, checkpoints['a'], str(photos),
             '--out', str(out))
    record = json.load(open(out / 'model.json'))
    assert record['checkpoint'] == osp.abspath(checkpoints['a'])
    assert record['size'] == osp.getsize(checkpoints['a'])
    assert len(record['sha256']) == 64
    assert record['classes'][1] == 'disc'
    assert record['settings']['test_cfg']['cls_suppression'] is True
    first = {name: (out / name).read_bytes() for name in masks(out)}
    (out / 'notes.txt').write_text('mine')  # not the tool's: kept

    refused = infer(checkpoints['b'], photos, '--out', out)
    assert refused.returncode != 0
    for words in ('holds masks of another model', checkpoints['a'],
                  checkpoints['b'], 'checkpoint content', '--overwrite'):
        assert words in refused.stderr
    assert {n: (out / n).read_bytes() for n in masks(out)} == first

    redone = infer(checkpoints['b'], photos, '--out', out, '--overwrite')
    assert redone.returncode == 0, redone.stderr[-3000:]
    assert '3 masks written, 0 already there' in redone.stdout
    assert json.load(open(out / 'model.json'))['checkpoint'] == \
        osp.abspath(checkpoints['b'])
    assert (out / 'notes.txt').read_text() == 'mine'
    # the same model again: resumes as before
    same = infer(checkpoints['b'], photos, '--out', out)
    assert same.returncode == 0
    assert '0 masks written, 3 already there' in same.stdout


@pytest.mark.subprocess
def test_infer_refuses_a_folder_of_masks_it_cannot_attribute(checkpoints,
                                                             photos,
                                                             tmp_path):
    out = tmp_path / 'out'
    run_tool('tools/infer.py', CONFIG, checkpoints['a'], str(photos),
             '--out', str(out))
    os.remove(out / 'model.json')  # as an earlier tools/infer.py left it
    result = infer(checkpoints['a'], photos, '--out', out)
    assert result.returncode != 0
    assert 'unknown model' in result.stderr


# --------------------------------------------------------------- class names
@pytest.mark.subprocess
def test_test_tool_refuses_other_class_names(checkpoints, synthetic_root,
                                             tmp_path):
    result = run_tool('tools/test.py', CONFIG, checkpoints['other'],
                      '--work-dir', str(tmp_path), '--cfg-options',
                      *tiny_synthetic_options(synthetic_root), check=False,
                      timeout=600)
    assert result.returncode != 0
    assert 'was trained on other classes' in result.stderr
    assert "1: 'cat' (checkpoint) vs 'disc'" in result.stderr
    assert "4: 'sheep' (checkpoint) vs 'ring'" in result.stderr
    assert '0:' not in result.stderr.split('differing class indices')[1]


@pytest.mark.subprocess
def test_test_tool_scores_matching_classes_and_warns_without_names(
        checkpoints, synthetic_root, tmp_path):
    options = ['--cfg-options', *tiny_synthetic_options(synthetic_root)]
    good = run_tool('tools/test.py', CONFIG, checkpoints['a'], '--work-dir',
                    str(tmp_path / 'a'), *options, timeout=600)
    assert 'mIoU' in json.loads(good.stdout.strip().splitlines()[-1])
    assert 'records no class names' not in good.stderr
    nameless = run_tool('tools/test.py', CONFIG, checkpoints['nameless'],
                        '--work-dir', str(tmp_path / 'n'), *options,
                        timeout=600)
    assert 'records no class names' in nameless.stderr


@pytest.mark.subprocess
def test_infer_refuses_other_class_names(checkpoints, photos, tmp_path):
    result = infer(checkpoints['other'], photos, '--out', tmp_path / 'out')
    assert result.returncode != 0
    assert "2: 'dog' (checkpoint) vs 'box'" in result.stderr
    assert not (tmp_path / 'out').exists()


def test_check_checkpoint_classes_lists_every_differing_index():
    from mmwsss.apis.inference import check_checkpoint_classes
    meta = dict(dataset_meta=dict(classes=('background', 'a', 'b')))
    check_checkpoint_classes('x.pth', meta, ['background', 'a', 'b'], 'data')
    with pytest.raises(ValueError) as error:
        check_checkpoint_classes('x.pth', meta, ('background', 'b', 'a', 'c'),
                                 'the test dataset of cfg.py')
    message = str(error.value)
    assert message.startswith('x.pth was trained on other classes than '
                              'those of the test dataset of cfg.py')
    assert message.endswith("1: 'a' (checkpoint) vs 'b'; 2: 'b' "
                            "(checkpoint) vs 'a'; 3: <none> (checkpoint) vs "
                            "'c'")
    with pytest.warns(UserWarning, match='records no class names'):
        check_checkpoint_classes('x.pth', {}, ('background', 'a'), 'data')


def test_dataset_class_names_from_the_config_alone(tmp_path, init_scope):
    from mmwsss.apis.inference import dataset_class_names
    from mmwsss.datasets import SYNTHETIC_CLASSES
    assert dataset_class_names(dict(type='SyntheticWSSSDataset',
                                    data_root='nowhere')) == SYNTHETIC_CLASSES
    assert dataset_class_names(dict(
        type='RepeatDataset', dataset=dict(
            type='SyntheticWSSSDataset',
            metainfo=dict(classes=['background', 'x'])))) == (
        'background', 'x')
    folder = dict(type='ImageLabelFolderDataset', data_root=str(tmp_path))
    assert dataset_class_names(folder) is None  # no labels file (yet)
    (tmp_path / 'labels.txt').write_text('img1 dog\nimg2 cat dog\n')
    assert dataset_class_names(folder) == ('background', 'cat', 'dog')
