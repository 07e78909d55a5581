"""Pictures of adversarial erasing: per-step CAMs and regions, and the
per-step loss curve that the stopping rule looks at."""
import json
import os.path as osp
from typing import List, Optional

import cv2
import numpy as np

from mmwsss.utils.io import (atomic_write, image_stem, read_grey_map,
                             read_image, read_mask)
from mmwsss.utils.regions import fuse_regions, load_regions_file
from .cam_visualization import colourise_mask, heatmap, save_png


def _blend(img: np.ndarray, cam: np.ndarray, alpha: float = 0.5):
    return ((1 - alpha) * img + alpha * heatmap(cam)).astype(np.uint8)


def _tint(img: np.ndarray, mask: np.ndarray, colour=(255, 0, 0)):
    out = img.copy()
    out[mask] = (0.4 * out[mask] + 0.6 * np.asarray(colour)).astype(np.uint8)
    return out


def erasing_grid(img_rgb: np.ndarray, step_cams: Optional[np.ndarray],
                 step_regions: np.ndarray, fused: np.ndarray,
                 saliency: Optional[np.ndarray], pseudo: Optional[np.ndarray],
                 palette) -> np.ndarray:
    """Two rows: the top shows each step's CAM (max over the image's
    classes), the bottom each step's mined region (red), then the fused
    region, the saliency map and the final pseudo mask.

    ``step_regions`` and ``fused`` are ``(steps, H, W)`` / ``(H, W)`` bool at
    image size; ``step_cams`` is ``(steps, L, h, w)`` (any size: the loop
    keeps them on the coarse mining grid) or ``None``.
    """
    height, width = img_rgb.shape[:2]
    blank = np.full_like(img_rgb, 255)
    top, bottom = [img_rgb], [img_rgb]
    for step, region in enumerate(step_regions):
        cam = cv2.resize(step_cams[step].max(axis=0), (width, height),
                         interpolation=cv2.INTER_LINEAR) \
            if step_cams is not None and step < len(step_cams) and \
            len(step_cams[step]) else None
        top.append(_blend(img_rgb, cam) if cam is not None else blank)
        bottom.append(_tint(img_rgb, region))
    top.append(_tint(img_rgb, fused, (255, 255, 0)))
    bottom.append(blank)
    sal = (np.repeat(saliency[..., None], 3, axis=2) * 255).astype(
        np.uint8) if saliency is not None else blank
    top.append(sal)
    bottom.append(colourise_mask(pseudo, palette)
                  if pseudo is not None else blank)
    return np.concatenate([np.concatenate(top, 1), np.concatenate(bottom, 1)])


def plot_step_losses(path: str, erasing_json: str) -> None:
    """Classification loss per iteration, one colour per erasing step."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    with open(erasing_json) as handle:
        summary = json.load(handle)
    fig, ax = plt.subplots(figsize=(7, 4))
    offset = 0
    for step, losses in enumerate(summary['iteration_losses']):
        xs = np.arange(offset, offset + len(losses))
        ax.plot(xs, losses, lw=0.8, label=f'step {step + 1}')
        offset += len(losses)
    ax.set_xlabel('iteration')
    ax.set_ylabel('classification loss')
    ax.set_title('adversarial erasing: loss per step')
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    with atomic_write(path) as handle:
        fig.savefig(handle, format='png')
    plt.close(fig)


def write_erasing_grids(dataset, erasing_dir: str, out_dir: str,
                        fuse_steps: int = 3, saliency_dir: str = None,
                        pseudo_dir: str = None, count: int = 4) -> List[str]:
    """Grids for the images whose step CAMs the erasing hook kept."""
    stems = {image_stem(dataset.get_data_info(i)): i
             for i in range(len(dataset))}
    written = []
    cam_dir = osp.join(erasing_dir, 'step_cams')
    for name in sorted(stems):
        if len(written) >= count:
            break
        cam_file = osp.join(cam_dir, name + '.npz')
        if not osp.isfile(cam_file):
            continue
        info = dataset.get_data_info(stems[name])
        img = read_image(info['img_path'], 'rgb')
        shape = img.shape[:2]
        regions = load_regions_file(
            osp.join(erasing_dir, 'regions', name + '.npz'))['regions']
        step_regions = np.stack([fuse_regions(r[None], 1, shape).any(0)
                                 for r in regions]) if len(regions) else \
            np.zeros((0, ) + shape, bool)
        fused = fuse_regions(regions, fuse_steps, shape).any(0)
        with np.load(cam_file) as data:
            step_cams = data['cams'].astype(np.float32)
        saliency = None
        if saliency_dir and osp.isfile(osp.join(saliency_dir, name + '.png')):
            saliency = read_grey_map(osp.join(saliency_dir, name + '.png'))
        pseudo = None
        if pseudo_dir and osp.isfile(osp.join(pseudo_dir, name + '.png')):
            pseudo = read_mask(osp.join(pseudo_dir, name + '.png')).astype(
                np.uint8)
        grid = erasing_grid(img, step_cams, step_regions, fused, saliency,
                            pseudo, dataset.metainfo['palette'])
        path = osp.join(out_dir, name + '.png')
        save_png(path, grid)
        written.append(path)
    return written
