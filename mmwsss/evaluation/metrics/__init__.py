from .image_label_metric import (ImageLabelMetric, average_precision,
                                 multilabel_scores)
from .seg_metric import WSSSIoUMetric

__all__ = [
    'ImageLabelMetric', 'average_precision', 'multilabel_scores',
    'WSSSIoUMetric'
]
