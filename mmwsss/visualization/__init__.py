from .cam_visualization import (cam_overlay_row, colourise_mask, heatmap,
                                plot_threshold_curve, save_png,
                                write_cam_overlays)
from .contact_sheet import write_contact_sheet, write_simple_sheet
from .erasing_visualization import (erasing_grid, plot_step_losses,
                                    write_erasing_grids)
from .error_bars import plot_error_bars

__all__ = [
    'erasing_grid', 'plot_error_bars', 'plot_step_losses',
    'write_erasing_grids',
    'cam_overlay_row', 'colourise_mask', 'heatmap', 'plot_threshold_curve',
    'save_png', 'write_cam_overlays', 'write_contact_sheet',
    'write_simple_sheet'
]
