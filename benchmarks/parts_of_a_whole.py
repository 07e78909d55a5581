"""Benchmark (issue 24): photos whose tags name parts of one salient whole.

A generated stand-in for the kind of photos the own-data template meets
outside MSRC-17 (clothes on a person): portrait framing, one salient figure
per photo, several tagged classes that are parts of it (``top``, ``coat``,
``pants``, ``skirt``), two small ones (``shoes``, ``bag``: about 1-3 % of
the photo), and parts nobody tags (head, hair, skin of arms and legs)
which belong to the background class in the ground truth, as in a
clothing-parsing set scored on its tagged classes.  Garments differ by
pattern and colour range; framing varies (whole figure, cut at the knees,
cut at the waist), so a class is not always seen with the same others.

``make DIR`` writes three folders, every file from the seed:

- ``DIR/tags``: the own-data layout with tags only (``images/``,
  ``labels.txt``): what the template trains on;
- ``DIR/masks``: the same photos and tags plus ``masks/`` for every photo
  (the fully supervised twin: the same template, every segmentation stage
  on true masks);
- ``DIR/few_masks``: the same photos and tags plus the masks of one photo
  in ten (the semi-supervised route: a user who outlined a few);
- ``DIR/test``: photos never in the folders, their masks and a map of the
  untagged parts (evaluation only).

``score OUT DIR`` scores masks ``tools/infer.py`` wrote for ``DIR/test``
(mIoU, per class, and where the untagged parts' pixels went).

    python benchmarks/parts_of_a_whole.py make DIR
    bash benchmarks/parts_of_a_whole.sh         # both runs, infer, score
"""
import argparse
import json
import os
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np
from PIL import Image

from mmwsss.evaluation.pseudo_label_eval import ConfusionMatrix
from mmwsss.utils.files import atomic_write
from mmwsss.utils.maps import read_mask

CLASSES = ('background', 'top', 'coat', 'pants', 'skirt', 'shoes', 'bag')
UNTAGGED = 1  # value of an untagged figure part in the parts map
SKIN_LIGHT, SKIN_DARK = (235, 195, 165), (95, 60, 40)
HAIR = ((20, 15, 10), (90, 55, 30), (200, 160, 90), (125, 120, 115))
HEIGHT, WIDTH = 160, 120
# one photo in ten keeps its mask in few_masks/: not the 0th, which the
# own-data dataset holds back for validation
FEW_MASKS_AT = 5
# body height (in image heights) and the top of the head for each framing:
# the whole figure, cut at the knees, cut at the waist
FRAMINGS = {'whole': (0.92, 0.04), 'knees': (1.25, 0.03),
            'waist': (1.9, 0.03)}


class Canvas:
    """An image, its class mask and its untagged-part map, drawn in body
    units (y from the top of the head = 0 to the soles = 1; x from the
    body's centre line)."""

    def __init__(self, background: np.ndarray, scale: float, top: float,
                 centre: float) -> None:
        self.img = background
        self.mask = np.zeros((HEIGHT, WIDTH), np.uint8)
        self.parts = np.zeros((HEIGHT, WIDTH), np.uint8)
        yy, xx = np.mgrid[:HEIGHT, :WIDTH] + 0.5
        self.y = (yy - top) / scale
        self.x = (xx - centre) / scale

    def ellipse(self, cy, cx, ry, rx) -> np.ndarray:
        return ((self.y - cy) / ry) ** 2 + ((self.x - cx) / rx) ** 2 <= 1

    def box(self, y0, y1, x0, x1) -> np.ndarray:
        return ((self.y >= y0) & (self.y <= y1) & (self.x >= x0)
                & (self.x <= x1))

    def trapezoid(self, y0, y1, half0, half1) -> np.ndarray:
        t = np.clip((self.y - y0) / (y1 - y0), 0, 1)
        half = half0 + t * (half1 - half0)
        return (self.y >= y0) & (self.y <= y1) & (np.abs(self.x) <= half)

    def paint(self, region: np.ndarray, texture: np.ndarray,
              cls: int = 0) -> None:
        """Draw ``texture`` over ``region``; cls 0 marks an untagged
        part of the figure."""
        self.img[region] = texture[region]
        self.mask[region] = cls
        self.parts[region] = 0 if cls else UNTAGGED


def _solid(rng, low, high, noise=8.0) -> np.ndarray:
    colour = rng.uniform(low, high).astype(np.float32)
    return colour + rng.normal(0, noise, (HEIGHT, WIDTH, 1)).astype(
        np.float32)


def _textures(rng: np.random.Generator, canvas: Canvas) -> Dict:
    """One texture per class (and skin, hair) for this photo: a pattern
    fixed per class, a colour drawn from its range."""
    y, x = canvas.y, canvas.x
    top = _solid(rng, (60, 60, 60), (255, 255, 255))
    stripes = (np.sin(2 * np.pi * y / 0.035) > 0)[..., None]
    top = np.where(stripes, top, 235)
    coat = _solid(rng, (40, 40, 40), (150, 120, 100))
    pants = _solid(rng, (30, 50, 90), (90, 110, 180), noise=4)
    pants += rng.normal(0, 14, (1, WIDTH, 1)).astype(np.float32)
    skirt = _solid(rng, (80, 40, 40), (250, 200, 200))
    dots = ((np.mod(y, 0.05) - 0.025) ** 2 +
            (np.mod(x, 0.05) - 0.025) ** 2 < 0.011 ** 2)[..., None]
    skirt = np.where(dots, 250 - skirt * 0.3, skirt)
    shoes = _solid(rng, (10, 10, 10), (70, 45, 35), noise=4)
    bag = _solid(rng, (110, 50, 20), (200, 120, 70), noise=5)
    tone = rng.uniform(0, 1)  # from light to dark skin
    skin = _solid(rng, *[np.array(SKIN_LIGHT) * (1 - tone)
                         + np.array(SKIN_DARK) * tone] * 2, noise=3)
    hair = _solid(rng, *[np.array(HAIR[rng.integers(len(HAIR))])] * 2,
                  noise=10)
    return dict(top=top, coat=coat, pants=pants, skirt=skirt, shoes=shoes,
                bag=bag, skin=skin, hair=hair)


def _background(rng: np.random.Generator) -> np.ndarray:
    """A studio wall (near flat) or a street (blocks and noise)."""
    base = rng.uniform(90, 235, 3).astype(np.float32)
    img = np.broadcast_to(base, (HEIGHT, WIDTH, 3)).copy()
    if rng.random() < 0.5:
        img += np.linspace(-15, 15, HEIGHT)[:, None, None]
        return img + rng.normal(0, 3, img.shape).astype(np.float32)
    for _ in range(int(rng.integers(3, 7))):
        y0, x0 = rng.integers(0, HEIGHT), rng.integers(0, WIDTH)
        y1, x1 = y0 + rng.integers(15, 80), x0 + rng.integers(10, 60)
        img[y0:y1, x0:x1] = rng.uniform(40, 220, 3)
    return img + rng.normal(0, 10, img.shape).astype(np.float32)


def _outfit(rng: np.random.Generator, framing: str) -> Dict:
    upper = rng.choice(['top', 'coat', 'open coat'], p=[0.5, 0.3, 0.2])
    return dict(
        upper=upper,
        lower=None if framing == 'waist' else
        rng.choice(['pants', 'skirt'], p=[0.55, 0.45]),
        shoes=framing == 'whole',
        bag=bool(rng.random() < 0.35),
        bag_side=float(rng.choice([-1, 1])))


def _draw_figure(canvas: Canvas, tex: Dict, outfit: Dict) -> None:
    """Back to front: legs, lower garment, shoes, torso, arms, head, bag."""
    c, cls = canvas, CLASSES.index
    for side in (-1, 1):
        c.paint((np.abs(c.x - side * 0.05) <= 0.03) & (c.y >= 0.5)
                & (c.y <= 0.93), tex['skin'])
    if outfit['lower'] == 'pants':
        legs = ((np.abs(np.abs(c.x) - 0.05) <= 0.045) & (c.y >= 0.45)
                & (c.y <= 0.92)) | c.box(0.45, 0.53, -0.095, 0.095)
        c.paint(legs, tex['pants'], cls('pants'))
    elif outfit['lower'] == 'skirt':
        c.paint(c.trapezoid(0.45, 0.68, 0.095, 0.145), tex['skirt'],
                cls('skirt'))
    if outfit['shoes']:
        for side in (-1, 1):
            c.paint(c.ellipse(0.945, side * 0.06, 0.035, 0.06),
                    tex['shoes'], cls('shoes'))
    c.paint(c.box(0.13, 0.17, -0.025, 0.025), tex['skin'])  # neck
    for side in (-1, 1):  # bare forearms and hands
        c.paint((np.abs(c.x - side * 0.135) <= 0.025) & (c.y >= 0.16)
                & (c.y <= 0.48), tex['skin'])
    torso = c.trapezoid(0.16, 0.46, 0.11, 0.095)
    sleeves = (np.abs(np.abs(c.x) - 0.125) <= 0.032) & (c.y >= 0.16)
    if outfit['upper'] == 'top':
        c.paint(torso | sleeves & (c.y <= 0.26), tex['top'], cls('top'))
    else:
        c.paint(c.trapezoid(0.16, 0.56, 0.12, 0.13)
                | sleeves & (c.y <= 0.44), tex['coat'], cls('coat'))
        if outfit['upper'] == 'open coat':
            c.paint(c.box(0.17, 0.5, -0.03, 0.03), tex['top'], cls('top'))
    c.paint(c.ellipse(0.075, 0, 0.065, 0.05), tex['skin'])
    c.paint(c.ellipse(0.045, 0, 0.045, 0.053) & (c.y <= 0.06), tex['hair'])
    if outfit['bag']:
        s = outfit['bag_side']
        x0, x1 = sorted((s * 0.17, s * 0.29))
        c.paint(c.box(0.40, 0.55, x0, x1), tex['bag'], cls('bag'))


def render(rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray,
                                              np.ndarray]:
    """One photo, its class mask and its untagged-part map."""
    framing = str(rng.choice(list(FRAMINGS), p=[0.5, 0.25, 0.25]))
    body, top = FRAMINGS[framing]
    scale = HEIGHT * body * rng.uniform(0.9, 1.05)
    centre = WIDTH * rng.uniform(0.35, 0.65)
    canvas = Canvas(_background(rng), scale, HEIGHT * top, centre)
    _draw_figure(canvas, _textures(rng, canvas), _outfit(rng, framing))
    img = np.clip(canvas.img, 0, 255).astype(np.uint8)
    return img, canvas.mask, canvas.parts


def _save_png(path: str, array: np.ndarray) -> None:
    with atomic_write(path) as handle:
        Image.fromarray(array).save(handle, format='PNG')


def _save_jpg(path: str, img: np.ndarray) -> None:
    with atomic_write(path) as handle:
        Image.fromarray(img).save(handle, format='JPEG', quality=92)


def _tags(mask: np.ndarray, min_pixels: int = 20) -> List[str]:
    counts = np.bincount(mask.ravel(), minlength=len(CLASSES))
    return [CLASSES[c] for c in range(1, len(CLASSES))
            if counts[c] >= min_pixels]


def make(root: str, num_train: int, num_test: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    folders = {name: osp.join(root, name)
               for name in ('tags', 'masks', 'few_masks', 'test')}
    for sub in ('tags/images', 'masks/images', 'masks/masks',
                'few_masks/images', 'few_masks/masks', 'test/images',
                'test/masks', 'test/parts', 'train_parts'):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    lines = []
    for index in range(num_train + num_test):
        img, mask, parts = render(rng)
        stem = f'figure_{index:05d}'
        if index >= num_train:
            _save_jpg(osp.join(folders['test'], 'images', stem + '.jpg'),
                      img)
            _save_png(osp.join(folders['test'], 'masks', stem + '.png'),
                      mask)
            _save_png(osp.join(folders['test'], 'parts', stem + '.png'),
                      parts)
            continue
        _save_png(osp.join(root, 'train_parts', stem + '.png'), parts)
        path = osp.join(folders['tags'], 'images', stem + '.jpg')
        _save_jpg(path, img)
        for name in ('masks', 'few_masks'):
            link = osp.join(folders[name], 'images', stem + '.jpg')
            if not osp.lexists(link):
                os.symlink(osp.abspath(path), link)
        _save_png(osp.join(folders['masks'], 'masks', stem + '.png'), mask)
        if index % 10 == FEW_MASKS_AT:
            _save_png(osp.join(folders['few_masks'], 'masks', stem + '.png'),
                      mask)
        lines.append(' '.join([stem] + _tags(mask)))
    for name in ('tags', 'masks', 'few_masks'):
        with atomic_write(osp.join(folders[name], 'labels.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    for name in ('masks', 'few_masks', 'test'):
        with atomic_write(osp.join(folders[name], 'masks', 'classes.txt'),
                          'w') as f:
            f.write('\n'.join(CLASSES) + '\n')
    print(f'{num_train} tagged photos in {folders["tags"]} (and with masks '
          f'in {folders["masks"]}), {num_test} test photos in '
          f'{folders["test"]}')


def score(out: str, root: str) -> Dict:
    """mIoU of ``out``'s masks (remapped by name from ``out/classes.txt``,
    else the own-data order: background, then the tags sorted), per class,
    and where the untagged parts went.  ``out`` holds masks of the test
    photos (``tools/infer.py``) or of the training photos (a stage's
    folder: pseudo masks, PSL++ masks)."""
    names = ['background'] + sorted(CLASSES[1:])
    if osp.isfile(osp.join(out, 'classes.txt')):
        with open(osp.join(out, 'classes.txt')) as handle:
            names = handle.read().split()
    lookup = np.full(256, 255, np.uint8)
    for index, name in enumerate(names):
        lookup[index] = CLASSES.index(name)
    matrix = ConfusionMatrix(len(CLASSES))
    untagged = np.zeros(len(CLASSES) + 1, np.int64)
    stems = [name for name in os.listdir(out) if name.endswith('.png')]
    test = all(osp.isfile(osp.join(root, 'test', 'masks', name))
               for name in stems)
    truth = osp.join(root, 'test', 'masks') if test else \
        osp.join(root, 'masks', 'masks')
    parts_dir = osp.join(root, 'test', 'parts') if test else \
        osp.join(root, 'train_parts')
    for name in sorted(stems):
        pred = lookup[read_mask(osp.join(out, name))]
        matrix.update(pred, read_mask(osp.join(truth, name)), name)
        parts = read_mask(osp.join(parts_dir, name)) == UNTAGGED
        values = np.where(pred[parts] == 255, len(CLASSES), pred[parts])
        untagged += np.bincount(values, minlength=len(CLASSES) + 1)
    result = matrix.scores(CLASSES)
    share = untagged / max(untagged.sum(), 1) * 100
    result['photos'] = f'{len(stems)} {"test" if test else "training"}'
    result['untagged_parts'] = dict(
        background=float(share[0]), a_tagged_class=float(share[1:-1].sum()),
        ignored=float(share[-1]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    make_cmd = sub.add_parser('make')
    make_cmd.add_argument('root')
    make_cmd.add_argument('--num-train', type=int, default=300)
    make_cmd.add_argument('--num-test', type=int, default=100)
    make_cmd.add_argument('--seed', type=int, default=0)
    score_cmd = sub.add_parser('score')
    score_cmd.add_argument('out')
    score_cmd.add_argument('root')
    args = parser.parse_args()
    if args.command == 'make':
        make(args.root, args.num_train, args.num_test, args.seed)
        return
    result = score(args.out, args.root)
    per_class = ', '.join(f'{name} {row["IoU"]:.1f}' for name, row in
                          result['per_class'].items())
    print(result['photos'], 'photos; untagged parts (percent):',
          json.dumps(result['untagged_parts']))
    print(f'per class: {per_class}')
    print(f'mIoU {result["mIoU"]:.2f} precision {result["precision"]:.2f} '
          f'recall {result["recall"]:.2f}')


if __name__ == '__main__':
    main()
