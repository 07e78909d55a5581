"""Multi-stage pipelines: a config keys its ``stages`` by name;
``tools/train.py`` runs them in order (see :mod:`mmwsss.stages.pipeline`)."""
from .base import BaseStage, StageContext, fill_placeholders
from .hcp_stages import LocalizationMapStage, ProposalScoreStage, ProposalStage
from .label_stages import (CAMStage, PseudoLabelStage, PSLPlusLabelStage,
                           SaliencyStage, ScoreLabelsStage)
from .pipeline import (MARKER, StageError, ordered_specs, read_marker,
                       run_stages, trained_model)
from .spec_checks import check_overrides
from .train_stages import TestStage, TrainStage

__all__ = [
    'BaseStage', 'StageContext', 'fill_placeholders', 'CAMStage',
    'PseudoLabelStage', 'PSLPlusLabelStage', 'SaliencyStage',
    'ScoreLabelsStage', 'MARKER', 'StageError', 'ordered_specs',
    'read_marker', 'run_stages', 'trained_model', 'TestStage', 'TrainStage',
    'LocalizationMapStage', 'ProposalScoreStage', 'ProposalStage',
    'check_overrides'
]
