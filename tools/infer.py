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
* ``OUT/classes.txt``: one class name per line, in index order.

Runs MMSeg's ``MMSegInferencer`` (its loading, test pipeline and batching)
on the model; images are processed in batches with a progress bar, every
file is written atomically and images whose mask exists are skipped, so a
killed run finishes with the same command.  No ground truth is read.
"""
import argparse
import os
import os.path as osp
from typing import List

import numpy as np
from mmengine.config import DictAction
from mmengine.utils import ProgressBar

import mmwsss  # noqa: F401
from mmwsss.apis import check_checkpoint
from mmwsss.datasets.custom import IMAGE_SUFFIXES
from mmwsss.utils.io import (atomic_write, image_stem, read_image,
                             write_label_png)
from mmwsss.visualization import colourise_mask
from tool_setup import load_model_config


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


def main():
    args = parse_args()
    cfg, checkpoint = load_model_config(args.config, args.checkpoint,
                                        args.stage, args.cfg_options)
    check_checkpoint(cfg, checkpoint)
    images = list_images(args.images)
    todo = [p for p in images
            if not osp.isfile(osp.join(args.out, image_stem(p) + '.png'))]

    from mmseg.apis import MMSegInferencer
    inferencer = MMSegInferencer(model=cfg, weights=checkpoint,
                                 device=args.device)
    meta = inferencer.model.dataset_meta
    classes, palette = meta['classes'], meta['palette']
    os.makedirs(args.out, exist_ok=True)
    with atomic_write(osp.join(args.out, 'classes.txt'), 'w') as handle:
        handle.write('\n'.join(classes) + '\n')
    progress = ProgressBar(len(todo)) if todo else None
    for start in range(0, len(todo), args.batch_size):
        batch = todo[start:start + args.batch_size]
        samples = inferencer(batch, batch_size=len(batch),
                             return_datasamples=True)
        samples = samples if isinstance(samples, list) else [samples]
        for path, sample in zip(batch, samples):
            mask = sample.pred_sem_seg.data[0].cpu().numpy().astype(np.uint8)
            stem = image_stem(path)
            write_overlay(osp.join(args.out, 'overlays', stem + '.jpg'),
                          read_image(path, 'rgb'), mask, palette, args.alpha)
            write_label_png(osp.join(args.out, stem + '.png'), mask, palette)
            progress.update()
    print(f'\n{len(todo)} masks written, {len(images) - len(todo)} already '
          f'there, in {args.out} (classes: '
          f'{osp.join(args.out, "classes.txt")})')


if __name__ == '__main__':
    main()
