"""The per-class error split of :mod:`mmwsss.evaluation.mask_analysis` as
one stacked-bar PNG: what each class's IoU loses, and to what."""
import os.path as osp
from typing import Dict

from mmwsss.evaluation.mask_analysis import ERROR_KINDS
from mmwsss.utils.io import atomic_write

COLOURS = dict(IoU='#4c9a2a', false_background='#5a6b8c',
               false_foreground='#e08a1e', wrong_class='#c0392b',
               ignored='#cfcfcf')


def plot_error_bars(path: str, analysis: Dict, title: str = '') -> None:
    """Horizontal stacked bars, one per class: IoU then the share of each
    error kind in the class's IoU denominator (each bar sums to 100%)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names = list(analysis['per_class'])
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(names) + 1.6))
    left = [0.0] * len(names)
    for kind in ('IoU', ) + ERROR_KINDS:
        widths = [analysis['per_class'][n][kind] for n in names]
        ax.barh(names, widths, left=left, color=COLOURS[kind],
                label=kind.replace('_', ' '))
        left = [a + b for a, b in zip(left, widths)]
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel('% of the class IoU denominator')
    ax.set_title(f'{title}  (mIoU {analysis["mIoU"]:.1f})'.strip())
    ax.legend(ncol=5, fontsize='small', loc='upper center',
              bbox_to_anchor=(0.5, -0.09 - 1.2 / (len(names) + 4)))
    fig.tight_layout()
    with atomic_write(path) as handle:
        fig.savefig(handle, format=osp.splitext(path)[1][1:] or 'png')
    plt.close(fig)
