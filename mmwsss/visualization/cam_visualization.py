"""Pictures a person looks at: CAM overlays and threshold curves."""
import os.path as osp
from typing import Dict, Sequence

import numpy as np
from PIL import Image

from mmwsss.models.classifiers.cam import cams_to_label_map
from mmwsss.utils.io import (atomic_write, image_stem, load_cam_file,
                             read_image, read_mask)


def heatmap(cam: np.ndarray) -> np.ndarray:
    """A [0, 1] map as an RGB 'jet' heat map (uint8)."""
    import matplotlib
    colours = matplotlib.colormaps['jet'](np.clip(cam, 0, 1))[..., :3]
    return (255 * colours).astype(np.uint8)


def colourise_mask(mask: np.ndarray, palette: Sequence) -> np.ndarray:
    """Label map to RGB; 255 (ignored) is drawn white."""
    table = np.zeros((256, 3), np.uint8)
    table[:len(palette)] = np.asarray(palette, np.uint8)
    table[255] = 255
    return table[mask]


def cam_overlay_row(img_rgb: np.ndarray, cams: np.ndarray,
                    pseudo: np.ndarray = None, gt: np.ndarray = None,
                    palette: Sequence = None,
                    alpha: float = 0.5) -> np.ndarray:
    """One row: the image, each class's CAM blended over it, then the pseudo
    mask and the ground truth when given."""
    tiles = [img_rgb]
    for cam in cams:
        blend = (1 - alpha) * img_rgb + alpha * heatmap(cam)
        tiles.append(blend.astype(np.uint8))
    for mask in (pseudo, gt):
        if mask is not None:
            tiles.append(colourise_mask(mask, palette))
    return np.concatenate(tiles, axis=1)


def save_png(path: str, rgb: np.ndarray) -> None:
    with atomic_write(path) as handle:
        Image.fromarray(rgb).save(handle, format='PNG')


def plot_threshold_curve(path: str, thresholds: Sequence[float],
                         curves: Dict[str, Sequence[float]],
                         title: str = '') -> None:
    """PNG plot of scores (mIoU, precision, recall) vs background
    threshold."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, values in curves.items():
        ax.plot(thresholds, values, marker='.', label=name)
    ax.set_xlabel('background threshold')
    ax.set_ylabel('%')
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    with atomic_write(path) as handle:
        fig.savefig(handle, format=osp.splitext(path)[1][1:] or 'png')
    plt.close(fig)


def write_cam_overlays(dataset, cam_dir: str, out_dir: str,
                       bg_threshold: float, count: int = 8) -> list:
    """Overlay PNGs (image | CAM per class | pseudo mask | GT) for the
    first ``count`` images of ``dataset`` that have labels."""
    palette = dataset.metainfo['palette']
    written = []
    for index in range(len(dataset)):
        if len(written) >= count:
            break
        info = dataset.get_data_info(index)
        if not info['img_labels']:
            continue
        stem = image_stem(info)
        data = load_cam_file(osp.join(cam_dir, stem + '.npz'))
        img = read_image(info['img_path'], 'rgb')
        pseudo = cams_to_label_map(data['cams'], data['labels'],
                                   bg_threshold)
        gt = read_mask(info['seg_map_path']).astype(np.uint8) \
            if 'seg_map_path' in info else None
        row = cam_overlay_row(img, data['cams'], pseudo, gt, palette)
        path = osp.join(out_dir, stem + '.png')
        save_png(path, row)
        written.append(path)
    return written
