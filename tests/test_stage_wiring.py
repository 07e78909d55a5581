"""The pipeline's load-time check (issue 26): one error lists every
problem of a pipeline config, each with the closest valid name (wiring,
also of a stage whose options are wrong; a cycle; placeholders of the
common options; option keys against the configs they change; kinds of
inputs that reach a stage through a placeholder), and every shipped
pipeline config passes it without its data."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from conftest import REPO

PIPELINE = osp.join(REPO, 'configs',
                    'ae-psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py')


def _shipped_configs():
    """Every config under configs/ but the ``_base_`` fragments."""
    root = osp.join(REPO, 'configs')
    paths = glob.glob(osp.join(root, '**', '*.py'), recursive=True)
    return sorted(p for p in paths
                  if osp.relpath(p, root).split(osp.sep)[0] != '_base_')


def _broken_pipeline():
    """The synthetic AE-PSL pipeline with eight mistakes."""
    cfg = Config.fromfile(PIPELINE)
    stages = cfg.stages
    # a typo in an option: the stage cannot be built, its wiring is
    # still checked
    stages.pseudo_labels.modee = 'ae'
    stages.pseudo_labels.inputs.regions = 'classifier.region'
    # a cycle: cams -> psl -> pseudo_labels -> cams
    stages.cams.inputs.checkpoint = 'psl.checkpoint'
    # a placeholder input of the wrong kind
    stages.psl_plus.inputs.masks = 'saliency.maps'
    # option keys that fit nothing in the stage's config
    stages.psl_plus.cfg_options = {
        'train_dataloadr.dataset.pseudo_seg_map_path': '{masks}',
        **cfg.segmentor_init
    }
    stages.test_psl.cfg_options = {'model.tst_cfg.crf': 'deeplab'}
    stages.score_test.config = 'psl/no-such-config.py'
    # the common options: a placeholder and a key with typos
    cfg.data_root = 'data/synthetic'
    cfg.common_cfg_options = {
        'val_dataloader.dataset.data_root': '{dta_root}',
        'val_dataloadr.dataset.data_root': '{data_root}'
    }
    return cfg


def test_one_error_names_every_problem_with_the_closest_name(init_scope):
    from mmwsss.stages import StageError, check_pipeline
    with pytest.raises(StageError) as error:
        check_pipeline(_broken_pipeline())
    text = str(error.value)
    psl_config = osp.join(REPO, 'configs', 'psl',
                          'psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py')
    expected = [
        'the pipeline config has 9 problems:',
        "stage 'pseudo_labels' (PseudoLabelStage): unknown option 'modee' "
        "(did you mean 'mode'?)",
        "stage 'pseudo_labels': input 'regions' = 'classifier.region', but "
        "stage 'classifier' writes no 'region' (did you mean 'regions'?)",
        "stages ['cams', 'pseudo_labels', 'psl'] read each other's outputs "
        '(a cycle)',
        "stage 'psl_plus': input 'masks' reads masks, but 'saliency.maps' is "
        'maps',
        "stage 'psl_plus': cfg_options key 'train_dataloadr.dataset."
        f"pseudo_seg_map_path': its config ({psl_config}) has no "
        "'train_dataloadr' (did you mean 'train_dataloader'?)",
        "stage 'test_psl': cfg_options key 'model.tst_cfg.crf': its config "
        f"({psl_config}) has no 'model.tst_cfg' (did you mean 'test_cfg'?)",
        f"config {osp.join(REPO, 'configs', 'psl', 'no-such-config.py')} "
        "does not exist (stage 'score_test')",
        "common_cfg_options: unknown placeholder {dta_root} (did you mean "
        "'data_root'?)",
        "common_cfg_options key 'val_dataloadr.dataset.data_root': no "
        "stage's config has 'val_dataloadr' (did you mean "
        "'val_dataloader'?)",
    ]
    for line in expected:
        assert line in text, f'{line!r} not in:\n{text}'


def test_a_producer_with_a_wrong_option_is_not_blamed_on_its_readers(
        init_scope):
    """A test stage with a typo still counts as writing what its class
    can write: only the typo is named, not the stage reading it."""
    from mmwsss.stages import StageError, check_pipeline
    cfg = Config.fromfile(PIPELINE)
    cfg.stages.test.save_predictons = True
    with pytest.raises(StageError) as error:
        check_pipeline(cfg)
    text = str(error.value)
    assert 'has 1 problem:' in text
    assert "unknown option 'save_predictons' (did you mean " \
        "'save_predictions'?)" in text


def test_a_placeholder_input_nobody_names_is_a_problem(init_scope):
    from mmwsss.stages import StageError, check_pipeline
    cfg = Config.fromfile(PIPELINE)
    cfg.stages.psl.cfg_options = {}
    with pytest.raises(StageError, match=r"stage 'psl' \(TrainStage\): "
                       r"input 'masks' reaches the stage only as a "
                       r'\{masks\} placeholder'):
        check_pipeline(cfg)


def test_every_shipped_pipeline_passes_the_check(init_scope):
    """Only the check (no stage runs, no data is read: the VOC and COCO
    pipelines pass without their datasets)."""
    from mmwsss.stages import StageError, check_pipeline
    checked, failed = [], {}
    for path in _shipped_configs():
        cfg = Config.fromfile(path)
        if not cfg.get('stages'):
            continue
        try:
            plan = check_pipeline(cfg)
        except StageError as exc:
            failed[osp.relpath(path, REPO)] = str(exc)
            continue
        assert set(plan.stages) == set(plan.names), path
        checked.append(path)
    assert not failed, '\n'.join(f'{k}: {v}' for k, v in failed.items())
    assert len(checked) >= 20  # every method, dataset and variant


def test_stage_bases_are_public():
    import mmwsss.stages as stages
    for name in ('ToolStage', 'MaskStage', 'Port', 'stage_device',
                 'StageError', 'check_pipeline'):
        assert name in stages.__all__ and hasattr(stages, name), name
