from .image_label_metric import ImageLabelMetric, multilabel_scores
from .seg_metric import WSSSIoUMetric

__all__ = ['ImageLabelMetric', 'multilabel_scores', 'WSSSIoUMetric']
