"""How the masks' teacher meets the cue masks: the held-out fold of the
pixel-labelled subset, the rule chosen on it (objects over the cue masks,
or the teacher alone), and the stage that makes the choice on the shared
synthetic pipeline run."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, TINY
from helpers import DATALOADERS

from mmwsss.datasets.pixel_labels import subset_fold
from mmwsss.pseudo_labels.teacher_rule import (apply_teacher_rule,
                                               choose_teacher_rule,
                                               read_teacher_rule)
from mmwsss.utils.io import read_mask, write_label_png

PALETTE = [[0, 0, 0], [128, 0, 0], [0, 128, 0]]


def test_subset_fold_holds_out_every_kth_image():
    items = list('abcde')
    assert subset_fold(items, 2, 0, 'held_out') == ['a', 'c', 'e']
    assert subset_fold(items, 2, 0) == ['b', 'd']
    assert subset_fold(items, 3, 1, 'held_out') == ['b', 'e']
    # one image: nothing can be held out, it trains
    assert subset_fold(['a'], 2, 0, 'held_out') == []
    assert subset_fold(['a'], 2, 0) == ['a']
    with pytest.raises(ValueError, match='folds >= 2'):
        subset_fold(items, 1, 0)
    with pytest.raises(ValueError, match='held_out'):
        subset_fold(items, 2, 2)


def _write(folder, name, mask):
    folder.mkdir(exist_ok=True)
    write_label_png(str(folder / name), mask.astype(np.uint8), PALETTE)


def _case(tmp_path, cue_object_is):
    """Two 4x8 images: the teacher finds class 1 in columns 0-1 and says
    background elsewhere; the cue masks also claim class 1 in columns
    4-5, where the truth is ``cue_object_is`` (1: the teacher missed it,
    0: the cues claimed an untagged part), and ignore columns 6-7."""
    teacher = np.zeros((4, 8), np.uint8)
    teacher[:, :2] = 1
    cues = np.zeros((4, 8), np.uint8)
    cues[:, 4:6] = 1
    cues[:, 6:] = 255
    truth = np.zeros((4, 8), np.uint8)
    truth[:, :2] = 1
    truth[:, 4:6] = cue_object_is
    infos = []
    for stem in ('p0', 'p1'):
        _write(tmp_path / 'teacher', stem + '.png', teacher)
        _write(tmp_path / 'cues', stem + '.png', cues)
        infos.append(dict(img_path=f'/photos/{stem}.jpg', truth=truth))
    return infos


@pytest.mark.parametrize('cue_object_is,rule', [(1, 'under'), (0, 'alone')])
def test_the_rule_closer_to_the_held_out_masks_wins(tmp_path, cue_object_is,
                                                    rule):
    infos = _case(tmp_path, cue_object_is)
    choice = choose_teacher_rule(infos, lambda info: info['truth'],
                                 str(tmp_path / 'teacher'),
                                 str(tmp_path / 'cues'), 2)
    assert choice['rule'] == rule and choice['images'] == 2
    other = 'alone' if rule == 'under' else 'under'
    assert choice['scores'][rule]['mIoU'] > choice['scores'][other]['mIoU']


def test_ties_and_an_empty_fold_keep_the_objects_over_the_cues(tmp_path):
    teacher = np.zeros((4, 8), np.uint8)
    teacher[:, :2] = 1
    _write(tmp_path / 'teacher', 'p0.png', teacher)
    _write(tmp_path / 'cues', 'p0.png', np.zeros((4, 8), np.uint8))
    choice = choose_teacher_rule(
        [dict(img_path='p0.jpg')], lambda info: teacher,
        str(tmp_path / 'teacher'), str(tmp_path / 'cues'), 2)
    assert choice['scores']['under'] == choice['scores']['alone']
    assert choice['rule'] == 'under'
    empty = choose_teacher_rule([], None, 'nowhere', 'nowhere', 2)
    assert empty['rule'] == 'under' and 'no pixel-labelled' in \
        empty['reason']


def test_rules_combine_masks_and_bad_rules_name_their_file(tmp_path):
    teacher = np.array([[0, 2], [0, 0]], np.uint8)
    cues = np.array([[1, 1], [255, 0]], np.uint8)
    assert apply_teacher_rule('under', teacher, cues).tolist() == \
        [[1, 2], [255, 0]]
    assert apply_teacher_rule('alone', teacher, cues).tolist() == \
        [[0, 2], [0, 0]]
    with pytest.raises(ValueError, match='choose from'):
        apply_teacher_rule('over', teacher, cues)
    with pytest.raises(ValueError, match='differ in size'):
        apply_teacher_rule('under', teacher, cues[:1])
    path = tmp_path / 'rule.json'
    path.write_text(json.dumps(dict(rule='alone')))
    assert read_teacher_rule(str(path)) == 'alone'
    path.write_text(json.dumps(dict(rule='sometimes')))
    with pytest.raises(ValueError, match='rule.json.*sometimes'):
        read_teacher_rule(str(path))


def test_rule_stage_labels_the_held_out_fold_and_the_teacher_follows_it(
        init_scope, pipeline_run, synthetic_root, tmp_path):
    """On the shared synthetic run: its PSL model as the held-out teacher,
    6 train images as the pixel-labelled subset.  The stage labels the 3
    it holds out (as the teacher labels tags-only images), scores both
    rules on their true masks and writes its choice; the teacher's label
    stage then writes its objects over the cue masks, or its masks
    alone, as that file says."""
    from mmwsss.stages import (PSLPlusLabelStage, StageContext,
                               TeacherRuleStage, read_marker)
    work = pipeline_run.work_dir
    marker = read_marker(str(work / 'psl'))
    checkpoint = osp.join(work, 'psl', marker['outputs']['checkpoint'])
    cues = str(work / 'pseudo_labels' / 'labels')
    ids = open(osp.join(synthetic_root, 'ImageSets', 'Segmentation',
                        'train.txt')).read().split()
    listing = tmp_path / 'pixel.txt'
    listing.write_text('\n'.join(ids[:6]) + '\n')
    common = {f'{key}.dataset.{arg}': value for key in DATALOADERS
              for arg, value in dict(data_root=synthetic_root,
                                     **TINY).items()}
    common['cam_dataloader.dataset.pixel_labels'] = dict(
        ann_file=str(listing))
    config = osp.join(REPO, 'configs', 'psl',
                      'psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py')

    def run(stage, name, inputs):
        ctx = StageContext(name=name, work_dir=str(tmp_path),
                           stage_dir=str(tmp_path / name),
                           config_dir=osp.dirname(config),
                           common_cfg_options=common, inputs=inputs)
        return stage.run(ctx, stage.load_config(ctx))

    rule_stage = TeacherRuleStage(config=config, crf=None, crf_workers=1,
                                  max_empty_share=1.0)
    outputs = run(rule_stage, 'teacher_rule',
                  dict(checkpoint=checkpoint, under=cues))
    choice = json.load(open(tmp_path / 'teacher_rule' / outputs['rule']))
    assert choice['held_out_images'] == ids[0:6:2]
    assert sorted(choice['scores']) == ['alone', 'under']
    best = max(choice['scores'].values(), key=lambda s: s['mIoU'])
    assert choice['scores'][choice['rule']] == best
    held = sorted(name[:-4] for name in
                  os.listdir(tmp_path / 'teacher_rule' / 'labels'))
    assert held == sorted(ids[0:6:2])

    rule_file = tmp_path / 'rule.json'
    labels = {}
    for rule in ('under', 'alone'):
        rule_file.write_text(json.dumps(dict(rule=rule)))
        stage = PSLPlusLabelStage(config=config, crf=None, crf_workers=1,
                                  max_empty_share=1.0)
        run(stage, rule, dict(checkpoint=checkpoint, under=cues,
                              rule=str(rule_file)))
        labels[rule] = tmp_path / rule / 'labels'
    for stem in ids[6:9]:
        alone = read_mask(str(labels['alone'] / (stem + '.png')))
        under = read_mask(str(labels['under'] / (stem + '.png')))
        cue = read_mask(osp.join(cues, stem + '.png'))
        assert np.array_equal(under, np.where(alone > 0, alone, cue))
        assert Image.open(labels['alone'] / (stem + '.png')).mode == 'P'
