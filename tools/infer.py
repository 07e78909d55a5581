"""Masks for new images from a trained segmentor.

    python tools/infer.py PIPELINE_CONFIG WORK_DIR IMAGES... --out OUT
    python tools/infer.py MODEL_CONFIG CHECKPOINT IMAGES... --out OUT

With a pipeline config (``stages``) and its work dir, the pipeline's final
model is used (``final_model``, or ``--stage``) with the config it trained
with; ``--cfg-options`` as for training (e.g. ``data_root=DATA`` for the
own-data pipeline).  IMAGES are image files or folders of them.  Writes

* ``OUT/<stem>.png``: the class index of every pixel (a palette PNG, so it
  opens in the dataset's colours);
* ``OUT/overlays/<stem>.jpg``: the image with the mask blended over it;
* ``OUT/classes.txt``: one class name per line, in index order;
* ``OUT/model.json``: the model that wrote OUT (checkpoint path, size,
  mtime and sha256, class names, the test-time settings that change
  masks);
* ``OUT/index.html``: every overlay of OUT on one page, with the classes
  found in its mask and a link to it (opens from disk).

Runs MMSeg's ``MMSegInferencer`` (its loading, test pipeline and batching)
on the model; images are processed in batches with a progress bar, every
file is written atomically and images whose mask exists are skipped, so a
killed run finishes with the same command.  No ground truth is read.

An image that cannot be read (missing, empty, truncated, not an image) is
skipped and the others are done; the skipped files are listed with their
reasons at the end and the exit status is 2.  ``--strict`` stops at the
first one instead.  A run with another model than the one in
``OUT/model.json`` (other weights, classes or test-time settings) is
refused: masks of two models would mix; ``--overwrite`` deletes the masks,
overlays, ``classes.txt`` and ``model.json`` and redoes them.  The config's
class names, where known without the data, must be the checkpoint's.
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import sys
from typing import Iterator, List, Optional, Tuple

import numpy as np
from mmengine.config import Config, DictAction
from mmengine.utils import ProgressBar

import mmwsss  # noqa: F401
from mmwsss.apis import check_checkpoint
from mmwsss.apis.inference import check_checkpoint_classes, dataset_class_names
from mmwsss.datasets.custom import IMAGE_SUFFIXES
from mmwsss.utils.io import (atomic_write, image_stem, read_image,
                             write_label_png)
from mmwsss.visualization import colourise_mask
from mmwsss.visualization.overlay_index import write_overlay_index
from tool_setup import load_model_config, run_main

MODEL_FILE = 'model.json'
CLASSES_FILE = 'classes.txt'
#: exit status of a run that skipped unreadable images
EXIT_SKIPPED = 2


def parse_args():
    parser = argparse.ArgumentParser(description='Masks for new images')
    parser.add_argument('config', help='a pipeline config or a model config')
    parser.add_argument('checkpoint', help='the pipeline\'s work dir, or a '
                        'checkpoint of the model config')
    parser.add_argument('images', nargs='+', help='image files or folders')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--stage', help='pipeline: use this training '
                        'stage\'s model instead of the final one')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--alpha', type=float, default=0.5,
                        help='opacity of the mask in the overlays')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--strict', action='store_true',
                        help='stop at the first unreadable image instead of '
                        'skipping it')
    parser.add_argument('--overwrite', action='store_true',
                        help='OUT holds masks of another model: delete them '
                        'and write this model\'s')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings (as for training)')
    return parser.parse_args()


def list_images(sources: List[str]) -> List[str]:
    """Image files of ``sources`` (files or folders, folders sorted); two
    images with the same stem would overwrite one mask, so they are an
    error naming both."""
    images = []
    for source in sources:
        if osp.isdir(source):
            images += [osp.join(source, name) for name in sorted(
                os.listdir(source)) if name.lower().endswith(IMAGE_SUFFIXES)]
        elif osp.isfile(source):
            images.append(source)
        else:
            raise SystemExit(f'{source}: no such image file or folder')
    seen = {}
    for path in images:
        stem = image_stem(path)
        if stem in seen:
            raise SystemExit(f'{seen[stem]} and {path} share the name '
                             f'{stem!r}: their masks would overwrite each '
                             'other')
        seen[stem] = path
    if not images:
        raise SystemExit(f'no images found in {sources}')
    return images


# ------------------------------------------------------- which model wrote OUT
def file_sha256(path: str) -> str:
    """Hash of a file's content, read in chunks (checkpoints can be
    large): a retrained checkpoint at the same path is another model."""
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def mask_settings(cfg: Config) -> dict:
    """What changes the masks besides the weights: the model's test_cfg
    (PSL suppression, CRF, sliding windows), its data preprocessor and the
    test pipeline (resizing); annotation loading is left out, as the
    inferencer drops it.  JSON-normalised, to compare with a stored one."""
    pipeline = [step for step in cfg.test_dataloader.dataset.pipeline
                if 'Annotation' not in str(step.get('type'))]
    settings = dict(test_cfg=cfg.model.get('test_cfg') or {},
                    data_preprocessor=cfg.model.get('data_preprocessor'),
                    test_pipeline=pipeline)
    return json.loads(json.dumps(settings, sort_keys=True, default=str))


def model_record(checkpoint: str, classes, settings: dict) -> dict:
    """The contents of ``OUT/model.json``."""
    record = dict(checkpoint=checkpoint, size=None, mtime=None, sha256=None)
    if '://' not in checkpoint:  # a URL names its content itself
        path = osp.abspath(checkpoint)
        stat = os.stat(path)
        record.update(checkpoint=path, size=stat.st_size,
                      mtime=stat.st_mtime, sha256=file_sha256(path))
    return dict(**record, classes=list(classes), settings=settings)


def record_differences(old: dict, new: dict) -> List[str]:
    """What makes ``old`` and ``new`` different models, in words."""
    same_weights = (old.get('sha256') == new['sha256'] if new['sha256']
                    else old.get('checkpoint') == new['checkpoint'])
    differences = [] if same_weights else ['the checkpoint content']
    if old.get('classes') != new['classes']:
        differences.append(f'the classes ({old.get("classes")} vs '
                           f'{new["classes"]})')
    if old.get('settings') != new['settings']:
        differences.append('the test-time settings (model.test_cfg, '
                           'data_preprocessor or the test pipeline)')
    return differences


def describe(record: dict) -> str:
    """A model in one phrase: its checkpoint and a short hash."""
    digest = record.get('sha256')
    return f'{record.get("checkpoint")}' + (
        f' (sha256 {digest[:12]})' if digest else '')


def read_record(out: str) -> Optional[dict]:
    """``OUT/model.json``, ``None`` when absent; a damaged one is an
    error naming it."""
    path = osp.join(out, MODEL_FILE)
    if not osp.isfile(path):
        return None
    try:
        with open(path) as handle:
            record = json.load(handle)
        if not isinstance(record, dict):
            raise ValueError('not a JSON object')
    except ValueError as exc:
        raise SystemExit(f'{path}: cannot read which model wrote {out} '
                         f'({exc}); pass --overwrite to redo its masks')
    return record


def claim_out_dir(out: str, record: dict, overwrite: bool) -> None:
    """Make ``out`` hold this model's masks only, then record the model:
    the same model resumes, another one is refused (or, with
    ``overwrite``, its outputs deleted); a folder of PNGs this tool did
    not write is never touched."""
    old = read_record(out)
    ours = old is not None or osp.isfile(osp.join(out, CLASSES_FILE))
    if old is not None:
        differences = record_differences(old, record)
        if differences and not overwrite:
            raise SystemExit(
                f'{out} holds masks of another model: {describe(old)}; this '
                f'run\'s model is {describe(record)}; they differ in '
                f'{" and ".join(differences)}. Write to another --out, or '
                'pass --overwrite to delete its masks and redo them')
    elif ours and not overwrite:
        raise SystemExit(
            f'{out} holds masks of an unknown model (no {MODEL_FILE}: '
            'written by an earlier tools/infer.py); write to another --out, '
            'or pass --overwrite to delete its masks and redo them')
    elif osp.isdir(out) and any(name.lower().endswith('.png')
                                for name in os.listdir(out)):
        raise SystemExit(f'{out} holds PNG files that tools/infer.py did not '
                         'write (no classes.txt or model.json); give an '
                         'empty or new --out')
    if ours and overwrite:
        remove_outputs(out)
    with atomic_write(osp.join(out, MODEL_FILE), 'w') as handle:
        json.dump(record, handle, indent=2)


def remove_outputs(out: str) -> None:
    """Delete what this tool writes in ``out`` (``*.png`` masks,
    ``overlays/*.jpg``, classes.txt, model.json) and nothing else;
    model.json goes last, so an interrupted deletion is still ours."""
    overlays = osp.join(out, 'overlays')
    files = [osp.join(overlays, name) for name in (
        os.listdir(overlays) if osp.isdir(overlays) else [])
        if name.lower().endswith('.jpg')]
    files += [osp.join(out, name) for name in os.listdir(out)
              if name.lower().endswith('.png')]
    for path in files + [osp.join(out, CLASSES_FILE),
                         osp.join(out, MODEL_FILE)]:
        if osp.isfile(path):
            os.remove(path)


# ---------------------------------------------------------------- the images
def readable_batches(paths: List[str], batch_size: int, strict: bool,
                     skipped: List[str]) -> Iterator[List[Tuple[str,
                                                                np.ndarray]]]:
    """Batches of ``(path, BGR image)``, each image decoded once by
    ``read_image`` (whose errors name the file and what is wrong with it)
    before MMSeg's loader would fail on it with a bare assertion.  An
    unreadable image is added to ``skipped`` (its error), or with
    ``strict`` ends the run."""
    batch = []
    for path in paths:
        try:
            batch.append((path, read_image(path)))
        except (OSError, ValueError) as exc:
            if strict:
                raise SystemExit(f'{exc} (--strict: stopped at the first '
                                 'unreadable image)')
            skipped.append(str(exc))
            continue
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_overlay(path: str, img_rgb: np.ndarray, mask: np.ndarray,
                  palette, alpha: float) -> None:
    """The image with its mask blended over it (background left clear)."""
    colours = colourise_mask(mask, palette).astype(np.float32)
    weight = np.where(mask[..., None] > 0, alpha, 0.0)
    blend = (1 - weight) * img_rgb + weight * colours
    from PIL import Image
    with atomic_write(path) as handle:
        Image.fromarray(blend.astype(np.uint8)).save(handle, format='JPEG',
                                                     quality=90)


def advance(progress: Optional[ProgressBar], done: int, counted: int) -> int:
    """Move the progress bar to ``done`` images (written or skipped);
    returns the new count."""
    if progress is not None and done > counted:
        progress.update(done - counted)
    return max(done, counted)


def report_skipped(skipped: List[str]) -> None:
    """List every skipped image with its reason and exit non-zero, so a
    script notices that some images have no mask."""
    print(f'{len(skipped)} image(s) skipped, unreadable (fix or remove '
          'them and run again; the others are done):', file=sys.stderr)
    for reason in skipped:
        print(f'  {reason}', file=sys.stderr)
    sys.exit(EXIT_SKIPPED)


def main():
    args = parse_args()
    cfg, checkpoint = load_model_config(args.config, args.checkpoint,
                                        args.stage, args.cfg_options)
    meta = check_checkpoint(cfg, checkpoint)
    check_checkpoint_classes(
        checkpoint, meta, dataset_class_names(cfg.test_dataloader.dataset),
        f'test_dataloader.dataset of {args.config}')
    images = list_images(args.images)
    settings = mask_settings(cfg)  # before the inferencer edits the config

    from mmseg.apis import MMSegInferencer
    inferencer = MMSegInferencer(model=cfg, weights=checkpoint,
                                 device=args.device)
    meta = inferencer.model.dataset_meta
    classes, palette = meta['classes'], meta['palette']
    claim_out_dir(args.out, model_record(checkpoint, classes, settings),
                  args.overwrite)
    with atomic_write(osp.join(args.out, CLASSES_FILE), 'w') as handle:
        handle.write('\n'.join(classes) + '\n')
    todo = [p for p in images
            if not osp.isfile(osp.join(args.out, image_stem(p) + '.png'))]
    progress = ProgressBar(len(todo)) if todo else None
    skipped, written, counted = [], 0, 0
    for batch in readable_batches(todo, args.batch_size, args.strict,
                                  skipped):
        # paths, not the decoded arrays: the test pipeline loads them as
        # in testing, and a CRF post-processing reads img_path
        samples = inferencer([path for path, _ in batch],
                             batch_size=len(batch), return_datasamples=True)
        samples = samples if isinstance(samples, list) else [samples]
        for (path, img), sample in zip(batch, samples):
            mask = sample.pred_sem_seg.data[0].cpu().numpy().astype(np.uint8)
            stem = image_stem(path)
            write_overlay(osp.join(args.out, 'overlays', stem + '.jpg'),
                          img[..., ::-1], mask, palette, args.alpha)
            write_label_png(osp.join(args.out, stem + '.png'), mask, palette)
            written += 1
        counted = advance(progress, written + len(skipped), counted)
    advance(progress, written + len(skipped), counted)
    print(f'\n{written} masks written, {len(images) - len(todo)} already '
          f'there, in {args.out} (classes: '
          f'{osp.join(args.out, CLASSES_FILE)})')
    print(f'overlays on one page: {write_overlay_index(args.out, skipped)}')
    if skipped:
        report_skipped(skipped)


if __name__ == '__main__':
    run_main(main)
