"""MMSeg's own entry points on mmwsss configs and models, unchanged.

Each runs in a fresh interpreter that never imports mmwsss itself (MMEngine
imports it when a config's ``custom_imports`` name it), as a user of MMSeg
would: ``mmseg.apis``, MMSeg's ``tools/test.py`` (vendored from v1.2.2 in
tests/fixtures/mmseg_tools) and its confusion-matrix tool (installed with
mmsegmentation).  With mmcv-lite, ``import mmseg.apis`` needs the start-up
hook an install of mmwsss puts into site-packages (``mmwsss-startup.pth``,
see ``mmwsss_startup.py``).  The model is the synthetic pipeline's final
PSL++ segmentor (conftest's ``pipeline_run``).
"""
import json
import os
import os.path as osp
import site

import pytest

from conftest import REPO, run_tool
from helpers import tiny_synthetic_options

SEG_CONFIG = osp.join(REPO, 'configs', 'psl',
                      'psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py')
MMSEG_TEST = osp.join(REPO, 'tests', 'fixtures', 'mmseg_tools', 'test.py')
STARTUP_PTH = 'mmwsss-startup.pth'

#: imports MMSeg's APIs first and fails if that imported mmwsss
IMPORT_MMSEG_FIRST = """
import json, sys
from mmseg.apis import MMSegInferencer, inference_model, init_model
assert 'mmwsss' not in sys.modules, 'mmseg.apis imported mmwsss'
"""

#: init_model + inference_model, then MMSegInferencer on the same image
INFER = IMPORT_MMSEG_FIRST + """
config, checkpoint, image, options = sys.argv[1:5]
model = init_model(config, checkpoint, device='cpu',
                   cfg_options=json.loads(options))
result = inference_model(model, image)
inferencer = MMSegInferencer(model=config, weights=checkpoint, device='cpu')
again = inferencer([image], return_datasamples=True)
print(json.dumps(dict(
    shape=list(result.pred_sem_seg.data.shape),
    classes=list(model.dataset_meta['classes']),
    same=bool((again.pred_sem_seg.data == result.pred_sem_seg.data).all()))))
"""


@pytest.fixture(scope='module')
def startup_hook():
    """Stop, saying what to do, when the running environment's mmwsss was
    installed before it had its start-up hook."""
    folders = site.getsitepackages() + [site.getusersitepackages()]
    if not any(osp.isfile(osp.join(f, STARTUP_PTH)) for f in folders):
        pytest.fail(f'{STARTUP_PTH} is in none of {folders}: this '
                    f'environment\'s mmwsss predates it; reinstall it '
                    f'(pip install -e . in {REPO})')


def _final_checkpoint(work_dir) -> str:
    """The PSL++ stage's checkpoint of a pipeline work dir."""
    marker = json.load(open(osp.join(work_dir, 'psl_plus',
                                     'stage_done.json')))
    return osp.join(work_dir, 'psl_plus', marker['outputs']['checkpoint'])


def _typed_options(root) -> dict:
    """``tiny_synthetic_options`` as a ``cfg_options`` dict."""
    pairs = (option.split('=', 1) for option in tiny_synthetic_options(root))
    return {key: int(value) if value.isdigit() else value
            for key, value in pairs}


@pytest.mark.subprocess
def test_mmseg_apis_import_before_mmwsss(startup_hook, tmp_path):
    out = run_tool('-c', IMPORT_MMSEG_FIRST + 'print("imported")',
                   cwd=str(tmp_path)).stdout
    assert out.strip().endswith('imported')


@pytest.mark.subprocess
def test_mmseg_init_model_and_inferencer(startup_hook, pipeline_run,
                                         synthetic_root, tmp_path):
    image = osp.join(synthetic_root, 'JPEGImages', 'val_00024.jpg')
    out = run_tool('-c', INFER, SEG_CONFIG,
                   _final_checkpoint(pipeline_run.work_dir), image,
                   json.dumps(_typed_options(synthetic_root)),
                   cwd=str(tmp_path)).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result['shape'] == [1, 64, 64]
    assert result['classes'][0] == 'background'
    assert len(result['classes']) == 5 and result['same']


@pytest.mark.subprocess
def test_mmseg_test_tool_shows_and_scores(startup_hook, pipeline_run,
                                          synthetic_root, tmp_path):
    """MMSeg's tools/test.py with --show-dir (its visualisation hook must
    not build the training set, whose pseudo masks a test run lacks) and
    --out; then MMSeg's confusion matrix of those predictions."""
    show, preds = tmp_path / 'show', tmp_path / 'preds'
    options = [*tiny_synthetic_options(synthetic_root),
               'default_hooks.visualization.interval=1']  # draw every image
    out = run_tool(MMSEG_TEST, SEG_CONFIG,
                   _final_checkpoint(pipeline_run.work_dir),
                   '--work-dir', str(tmp_path / 'work'), '--show-dir',
                   str(show), '--out', str(preds), '--cfg-options',
                   *options, cwd=str(tmp_path)).stdout
    final = json.load(open(pipeline_run.work_dir / 'test' / 'metrics.json'))
    assert f'mIoU: {final["mIoU"]:.4f}' in out  # the pipeline's own score
    assert len(os.listdir(show / 'vis_data' / 'vis_image')) == 8
    assert len(os.listdir(preds)) == 8
    tool = osp.join(_mmseg_tools(), 'analysis_tools', 'confusion_matrix.py')
    run_tool(tool, SEG_CONFIG, str(preds), str(tmp_path / 'matrix'),
             '--cfg-options', *tiny_synthetic_options(synthetic_root),
             cwd=str(tmp_path), env=dict(MPLBACKEND='Agg'))
    assert (tmp_path / 'matrix' / 'confusion_matrix.png').stat().st_size


def _mmseg_tools() -> str:
    """MMSeg's ``tools/`` as its package installs them (``.mim``)."""
    from importlib.util import find_spec
    folder = osp.join(find_spec('mmseg').submodule_search_locations[0],
                      '.mim', 'tools')
    if not osp.isdir(folder):
        pytest.skip(f'{folder} not installed with mmsegmentation')
    return folder


def _own_data(folder) -> str:
    """A tagged-photo folder's labels file (3 classes with background); the
    config checks read no image."""
    (folder / 'images').mkdir(parents=True)
    (folder / 'labels.txt').write_text('a cat\nb dog cat\n')
    return str(folder)


def test_runner_type_prepares_mmseg_train_configs(tmp_path, monkeypatch):
    """MMSeg's tools/train.py builds ``runner_type``: on an own-data
    config the runner fills num_classes from the labels file and passes
    ``data_root=DIR`` on to every dataset not pointed elsewhere."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmwsss.apis import WSSSRunner
    data, other = _own_data(tmp_path / 'DATA'), _own_data(tmp_path / 'VAL')
    cfg = Config.fromfile(osp.join(
        REPO, 'configs', 'custom',
        'psl_tinyr18-d8_1xb16-12e_custom-long96.py'))
    assert cfg.runner_type == 'WSSSRunner'
    cfg.merge_from_dict({'data_root': data, 'work_dir': str(tmp_path),
                         'val_dataloader.dataset.data_root': other})
    built = {}
    monkeypatch.setattr(Runner, 'from_cfg', classmethod(
        lambda cls, cfg: built.setdefault('cfg', cfg)))
    cfg = WSSSRunner.from_cfg(cfg)
    assert cfg.model.decode_head.seg_head.num_classes == 3
    for loader in ('train_dataloader', 'test_dataloader', 'cam_dataloader'):
        assert cfg[loader].dataset.data_root == data, loader
    assert cfg.val_dataloader.dataset.data_root == other


def test_data_root_that_reaches_no_dataset_is_an_error(tmp_path):
    from mmengine.config import Config

    from mmwsss.apis import prepare_config
    cfg = Config.fromfile(osp.join(
        REPO, 'configs', 'custom',
        'psl_tinyr18-d8_1xb16-12e_custom-long96.py'))
    other = _own_data(tmp_path / 'other')
    cfg.merge_from_dict({'data_root': str(tmp_path), **{
        f'{loader}.dataset.data_root': other
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader', 'cam_dataloader')}})
    with pytest.raises(ValueError, match='reaches no dataset'):
        prepare_config(cfg, cfg.filename)


def test_data_root_a_pipeline_passes_to_no_stage_is_an_error():
    """MSRC-17's pipeline names its data in its stage configs: an
    overridden data_root would be ignored, so it stops; the own-data
    template passes {data_root} on and takes it."""
    from mmengine.config import Config

    from mmwsss.apis import check_pipeline_data_root
    msrc = osp.join(REPO, 'configs',
                    'ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py')
    cfg = Config.fromfile(msrc)
    check_pipeline_data_root(cfg, msrc)  # no override: nothing to say
    cfg.merge_from_dict(dict(data_root='/elsewhere'))
    with pytest.raises(ValueError, match='reaches no stage'):
        check_pipeline_data_root(cfg, msrc)
    template = osp.join(REPO, 'configs', 'custom',
                        'ae-psl_tinyr18-d8_1xb16-12e_custom-long96.py')
    cfg = Config.fromfile(template)
    cfg.merge_from_dict(dict(data_root='/elsewhere'))
    check_pipeline_data_root(cfg, template)
