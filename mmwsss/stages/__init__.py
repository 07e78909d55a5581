"""Multi-stage pipelines: a config lists ``stages``; ``tools/train.py``
runs them in order (see :mod:`mmwsss.stages.pipeline`)."""
from .base import BaseStage, StageContext, fill_placeholders
from .label_stages import (CAMStage, PseudoLabelStage, PSLPlusLabelStage,
                           SaliencyStage, ScoreLabelsStage)
from .pipeline import MARKER, StageError, build_stages, run_stages
from .train_stages import TestStage, TrainStage

__all__ = [
    'BaseStage', 'StageContext', 'fill_placeholders', 'CAMStage',
    'PseudoLabelStage', 'PSLPlusLabelStage', 'SaliencyStage',
    'ScoreLabelsStage', 'MARKER', 'StageError', 'build_stages', 'run_stages',
    'TestStage', 'TrainStage'
]
