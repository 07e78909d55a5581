from .cam_visualization import (cam_overlay_row, colourise_mask, heatmap,
                                plot_threshold_curve, save_png,
                                write_cam_overlays)

__all__ = [
    'cam_overlay_row', 'colourise_mask', 'heatmap', 'plot_threshold_curve',
    'save_png', 'write_cam_overlays'
]
