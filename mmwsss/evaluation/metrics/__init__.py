from .image_label_metric import (ImageLabelMetric, average_precision,
                                 multilabel_scores)

__all__ = ['ImageLabelMetric', 'average_precision', 'multilabel_scores']
