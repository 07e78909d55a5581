"""A user's own data, end to end: a folder of tagged images (no mask
anywhere) -> the own-data template pipeline -> tools/test.py and
tools/infer.py on new images; and MMSeg's own inference APIs on an mmwsss
segmentor."""
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import torch

from conftest import REPO, run_tool
from helpers import tiny_synthetic_options

TEMPLATE = 'configs/custom/ae-psl_tinyr18-d8_1xb16-12e_custom-long96.py'
#: MMSeg's tools/test.py as released (v1.2.2), vendored for the tests
MMSEG_TEST = osp.join(REPO, 'tests', 'fixtures', 'mmseg_tools', 'test.py')
pytestmark = pytest.mark.subprocess


PORTRAIT_WIDTH = 40  # of the 64-pixel synthetic photos


def store_sideways(source, target):
    """``source``'s left part as a portrait photo stored the way phones
    store it: pixels turned a quarter left, EXIF orientation 6 (viewers
    and decoders turn it upright again)."""
    from PIL import Image
    upright = Image.open(source).crop((0, 0, PORTRAIT_WIDTH, 64))
    exif = upright.getexif()
    exif[0x0112] = 6
    upright.transpose(Image.Transpose.ROTATE_90).save(
        target, quality=95, exif=exif.tobytes())


def make_tagged_folder(synthetic_root, folder):
    """The synthetic train images as a user would have them: a folder of
    photos and a labels file of tags (read off the masks here; the
    pipeline never sees a mask).  Returns the val image paths (new images
    for inference) and their masks (to score the result)."""
    from mmwsss.datasets import SYNTHETIC_CLASSES
    from mmwsss.utils.io import read_mask
    split = osp.join(synthetic_root, 'ImageSets', 'Segmentation')
    lines = []
    os.makedirs(osp.join(folder, 'images'))
    for index, stem in enumerate(
            open(osp.join(split, 'train.txt')).read().split()):
        mask = read_mask(osp.join(synthetic_root, 'SegmentationClass',
                                  stem + '.png'))
        image = osp.join(synthetic_root, 'JPEGImages', stem + '.jpg')
        if index == 0:  # a phone photo: portrait, stored sideways + EXIF
            mask = mask[:, :PORTRAIT_WIDTH]
            store_sideways(image, osp.join(folder, 'images', stem + '.jpg'))
        else:
            shutil.copy(image, osp.join(folder, 'images'))
        tags = [SYNTHETIC_CLASSES[c] for c in np.unique(mask) if 0 < c < 255]
        comment = '  # the phone photo' if index == 0 else ''
        lines.append(' '.join([stem] + tags) + comment)
    with open(osp.join(folder, 'labels.txt'), 'w') as handle:
        handle.write('# my photos and what is on them\n' +
                     '\n'.join(lines) + '\n')
    val = open(osp.join(split, 'val.txt')).read().split()
    return ([osp.join(synthetic_root, 'JPEGImages', s + '.jpg') for s in val],
            {s: osp.join(synthetic_root, 'SegmentationClass', s + '.png')
             for s in val})


@pytest.fixture(scope='module')
def own_run(synthetic_root, tmp_path_factory):
    root = tmp_path_factory.mktemp('own')
    data = root / 'DATA'
    new_images, new_masks = make_tagged_folder(synthetic_root, str(data))
    work = root / 'W'
    relaxed = [f'stages.{name}.max_empty_share=1.0'
               for name in ('pseudo_labels', 'psl_plus_labels')]
    # run from another directory than the repository: paths still resolve
    # the 22 training images hold 4 wedges, under the data check's minimum
    result = run_tool(osp.join(REPO, 'tools', 'train.py'),
                      osp.join(REPO, TEMPLATE), '--work-dir', str(work),
                      '--allow-rare', '--cfg-options', f'data_root={data}',
                      *relaxed, cwd=str(root))
    return dict(data=data, work=work, log=result.stdout + result.stderr,
                new_images=new_images, new_masks=new_masks)


def test_template_pipeline_trains_on_tags_alone(own_run):
    work, data = own_run['work'], own_run['data']
    assert not any(name.endswith('.png') for name in os.listdir(data))
    for stage in ('classifier', 'cams', 'saliency', 'pseudo_labels', 'psl',
                  'psl_plus_labels', 'psl_plus', 'test_psl', 'test'):
        assert (work / stage / 'stage_done.json').exists(), stage
    # 24 tagged images, every 10th held back: 22 train, 2 validate
    assert len(os.listdir(work / 'pseudo_labels' / 'labels')) == 22
    # the phone photo's masks have its upright (displayed) size
    from mmwsss.utils.io import read_mask
    for stage in ('pseudo_labels', 'psl_plus_labels'):
        assert read_mask(str(work / stage / 'labels' / 'train_00000.png')
                         ).shape == (64, PORTRAIT_WIDTH), stage
    metrics = json.load(open(work / 'test' / 'metrics.json'))
    # image labels are all it can score without masks
    assert set(metrics) == {'cls/mAP', 'cls/F1_macro', 'cls/F1_micro'}
    # the classes came from labels.txt: 4 tags + background
    checkpoint = torch.load(work / 'psl_plus' / json.load(open(
        work / 'psl_plus' / 'stage_done.json'))['outputs']['checkpoint'],
        map_location='cpu', weights_only=False)
    assert checkpoint['meta']['dataset_meta']['classes'] == (
        'background', 'box', 'disc', 'ring', 'wedge')


#: MMSeg's APIs in a fresh interpreter on the own-data segmentor config,
#: whose num_classes=None only the labels file or the checkpoint can fill
MMSEG_ON_TEMPLATE = """
import json, sys
from mmseg.apis import MMSegInferencer, inference_model, init_model
assert 'mmwsss' not in sys.modules
config, checkpoint, image = sys.argv[1:4]
model = init_model(config, checkpoint, device='cpu')
result = inference_model(model, image)
inferencer = MMSegInferencer(model=config, weights=checkpoint, device='cpu')
again = inferencer([image], return_datasamples=True)
print(json.dumps(dict(
    num_classes=model.decode_head.num_classes,
    same=bool((again.pred_sem_seg.data == result.pred_sem_seg.data).all()))))
"""


def test_mmseg_apis_take_the_template_config_unchanged(own_run, tmp_path):
    """No data_root and no saved config: the classes come from the
    checkpoint, as a user of init_model would call it."""
    work = own_run['work']
    checkpoint = work / 'psl_plus' / json.load(open(
        work / 'psl_plus' / 'stage_done.json'))['outputs']['checkpoint']
    config = osp.join(REPO, 'configs', 'custom',
                      'psl_tinyr18-d8_1xb16-12e_custom-long96.py')
    out = run_tool('-c', MMSEG_ON_TEMPLATE, config, str(checkpoint),
                   own_run['new_images'][0], cwd=str(tmp_path)).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result == dict(num_classes=5, same=True)


def test_test_tool_takes_the_pipeline_and_its_work_dir(own_run):
    out = run_tool('tools/test.py', TEMPLATE, str(own_run['work']),
                   '--work-dir', str(own_run['work'] / 'retest'),
                   '--cfg-options', f'data_root={own_run["data"]}').stdout
    final = json.load(open(own_run['work'] / 'test' / 'metrics.json'))
    assert json.loads(out.strip().splitlines()[-1]) == pytest.approx(final)


def test_mmseg_test_tool_runs_the_template_config(own_run, tmp_path):
    """MMSeg's own tools/test.py (v1.2.2, unchanged) on the own-data
    segmentor config as shipped (num_classes=None, data_root given on the
    command line), with --out and --show-dir: it scores the held-back
    images as the pipeline's test stage did and writes their masks."""
    work = own_run['work']
    checkpoint = work / 'psl_plus' / json.load(open(
        work / 'psl_plus' / 'stage_done.json'))['outputs']['checkpoint']
    config = osp.join(REPO, 'configs', 'custom',
                      'psl_tinyr18-d8_1xb16-12e_custom-long96.py')
    preds, show = tmp_path / 'preds', tmp_path / 'show'
    out = run_tool(MMSEG_TEST, config, str(checkpoint), '--work-dir',
                   str(tmp_path / 'work'), '--out', str(preds),
                   '--show-dir', str(show), '--cfg-options',
                   f'data_root={own_run["data"]}',
                   'default_hooks.visualization.interval=1',
                   cwd=str(tmp_path)).stdout
    final = json.load(open(work / 'test' / 'metrics.json'))
    assert f'cls/mAP: {final["cls/mAP"]:.4f}' in out
    held_back = sorted(os.listdir(preds))  # every 10th of 24 photos
    assert len(held_back) == 2 and all(n.endswith('.png') for n in held_back)
    from mmwsss.utils.io import read_mask
    assert read_mask(str(preds / held_back[0])).max() < 5
    assert len(os.listdir(show / 'vis_data' / 'vis_image')) == 2


def test_infer_writes_masks_for_new_images(own_run, tmp_path):
    from mmwsss.utils.io import read_mask
    out = tmp_path / 'masks'
    images = own_run['new_images']
    folder = tmp_path / 'new'  # a folder of new photos, and single files
    folder.mkdir()
    for path in images[:5]:
        shutil.copy(path, folder)
    stdout = run_tool('tools/infer.py', TEMPLATE, str(own_run['work']),
                      str(folder), *images[5:], '--out', str(out),
                      '--cfg-options', f'data_root={own_run["data"]}').stdout
    assert '8 masks written' in stdout
    assert open(out / 'classes.txt').read().split() == [
        'background', 'box', 'disc', 'ring', 'wedge']
    for path in images:
        stem = osp.splitext(osp.basename(path))[0]
        mask = read_mask(str(out / f'{stem}.png'))
        assert mask.shape == read_mask(own_run['new_masks'][stem]).shape
        assert mask.max() < 5  # class indices of classes.txt
        overlay = out / 'overlays' / f'{stem}.jpg'
        assert overlay.stat().st_size > 0
    again = run_tool('tools/infer.py', TEMPLATE, str(own_run['work']),
                     *images, '--out', str(out), '--cfg-options',
                     f'data_root={own_run["data"]}').stdout
    assert '0 masks written, 8 already there' in again


def test_mmseg_inference_apis_run_an_mmwsss_segmentor(pipeline_run,
                                                      synthetic_root):
    """MMSeg's init_model / inference_model and MMSegInferencer, unchanged,
    on the synthetic pipeline's final PSL++ model."""
    from mmengine.config import Config
    from mmseg.apis import MMSegInferencer, inference_model, init_model

    import mmwsss  # noqa: F401
    marker = osp.join(pipeline_run.work_dir, 'psl_plus', 'stage_done.json')
    checkpoint = osp.join(pipeline_run.work_dir, 'psl_plus', json.load(
        open(marker))['outputs']['checkpoint'])
    cfg = Config.fromfile(osp.join(
        REPO, 'configs', 'psl', 'psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py'))
    cfg.merge_from_dict(dict(
        o.split('=', 1) for o in tiny_synthetic_options(synthetic_root)))
    image = osp.join(synthetic_root, 'JPEGImages', 'train_00000.jpg')
    model = init_model(cfg, checkpoint, device='cpu')
    result = inference_model(model, image)
    assert tuple(result.pred_sem_seg.data.shape[-2:]) == (64, 64)
    assert result.pred_cls_scores.shape == (4, )
    inferencer = MMSegInferencer(model=cfg, weights=checkpoint,
                                 device='cpu')
    out = inferencer([image], return_datasamples=True)
    assert (out.pred_sem_seg.data == result.pred_sem_seg.data).all()
