"""Error analysis of masks: the split of errors, the table and the tool."""
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from mmwsss.evaluation import ConfusionMatrix
from mmwsss.evaluation.mask_analysis import analyze_confusion, error_table

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _confusion():
    gt = np.array([[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]])
    pred = np.array([[0, 0, 1, 255], [1, 1, 0, 2], [2, 2, 2, 255]])
    matrix = ConfusionMatrix(3)
    matrix.update(pred, gt)
    return matrix


def test_errors_split_into_false_background_foreground_and_wrong_class():
    matrix = _confusion()
    result = analyze_confusion(matrix.matrix, matrix.missed,
                               ['background', 'cat', 'dog'])
    counts = {k: v['pixels'] for k, v in result['errors'].items()}
    assert counts == dict(false_background=1, false_foreground=1,
                          wrong_class=1, ignored=2)
    assert abs(sum(v['share'] for v in result['errors'].values()) - 100) \
        < 1e-9
    cat = result['per_class']['cat']
    # cat: 2 right; 1 called background, 1 called dog; 1 background pixel
    # called cat -> denominator 5
    assert cat['IoU'] == 40.0
    assert cat['false_background'] == 20.0
    assert cat['false_foreground'] == 20.0
    assert cat['wrong_class'] == 20.0
    dog = result['per_class']['dog']
    # dog: 3 right, 1 ignored, 1 cat pixel called dog -> denominator 5
    assert dog['IoU'] == 60.0 and dog['ignored'] == 20.0 \
        and dog['wrong_class'] == 20.0
    for row in result['per_class'].values():
        total = row['IoU'] + sum(row[k] for k in (
            'false_background', 'false_foreground', 'wrong_class',
            'ignored'))
        assert abs(total - 100) < 1e-9
    # cat's wrongly labelled pixel went to dog: 1 of its 4 pixels
    assert (cat['confused_with'], cat['confused_share']) == ('dog', 25.0)
    assert dog['confused_with'] is None
    assert result['per_class']['background']['confused_with'] is None
    # the same IoU as the scores everyone else reads
    assert abs(matrix.scores(['background', 'cat', 'dog'])['per_class']
               ['cat']['IoU'] - 40.0) < 1e-9


def test_error_table_lists_every_class_and_the_totals():
    from mmwsss.evaluation import with_error_split
    matrix = _confusion()
    names = ['background', 'cat', 'dog']
    scores = with_error_split(
        matrix.scores(names),
        analyze_confusion(matrix.matrix, matrix.missed, names))
    table = error_table(scores)
    lines = table.splitlines()
    assert len(lines) == 2 + 3 + 1
    assert lines[3] == '| cat | 40.0 | 20.0 | 20.0 | 20.0 | 0.0 | dog (25.0) |'
    assert lines[4].endswith('| 20.0 |  |')  # dog: nothing taken for another
    assert '40.0' in lines[-1] and 'share of all errors' in lines[-1]


@pytest.mark.subprocess
def test_analyze_masks_tool_writes_table_json_and_png(synthetic_root,
                                                      tmp_path):
    """Masks equal to the ground truth except one image all background:
    the tool reports only false-background errors."""
    import shutil
    gt_dir = osp.join(synthetic_root, 'SegmentationClass')
    ids = open(osp.join(synthetic_root, 'ImageSets', 'Segmentation',
                        'train.txt')).read().split()
    masks = tmp_path / 'masks'
    masks.mkdir()
    for img_id in ids:
        shutil.copy(osp.join(gt_dir, img_id + '.png'), masks)
    from mmwsss.utils.io import read_mask, write_label_png
    victim = next(i for i in ids
                  if read_mask(osp.join(gt_dir, i + '.png')).max() > 0)
    write_label_png(str(masks / f'{victim}.png'),
                    np.zeros_like(read_mask(osp.join(gt_dir,
                                                     victim + '.png'))),
                    [[0, 0, 0]] * 5)
    from helpers import tiny_synthetic_options
    out = tmp_path / 'report'
    subprocess.run(
        [sys.executable, 'tools/analyze_masks.py',
         'configs/ae/ae_tinyr18-d8_1xb16-20-8-8e_synthetic-96x96.py',
         str(masks), '--out', str(out), '--cfg-options',
         *tiny_synthetic_options(synthetic_root)],
        cwd=REPO, check=True, capture_output=True)
    scores = json.load(open(f'{out}.json'))
    assert scores['false_background'] == 100.0
    assert scores['false_foreground'] == 0.0 and scores['wrong_class'] == 0
    assert 0 < scores['mIoU'] < 100
    assert 'false bg' in open(f'{out}.md').read()
    assert open(f'{out}.png', 'rb').read(4) == b'\x89PNG'
