"""Multi-stage pipelines: a config keys its ``stages`` by name;
``tools/train.py`` runs them in order (see :mod:`mmwsss.stages.pipeline`).

The pieces: the stage bases and ports (:mod:`~mmwsss.stages.base`), the
graph and its checks (:mod:`~mmwsss.stages.graph`), the record of what
made each stage (:mod:`~mmwsss.stages.record`) and the runner
(:mod:`~mmwsss.stages.pipeline`)."""
from .base import (BaseStage, MaskStage, Port, StageContext, ToolStage,
                   fill_placeholders, placeholder_port, stage_device)
from .graph import StageError, check_pipeline, check_specs, ordered_specs
from .hcp_stages import LocalizationMapStage, ProposalScoreStage, ProposalStage
from .label_stages import (AffinityLabelStage, CAMStage, PredictedLabelStage,
                           PseudoLabelStage, PSLPlusLabelStage, SaliencyStage,
                           ScoreLabelsStage, SplitSimpleImagesStage)
from .pipeline import MARKER, read_marker, run_stages, trained_model
from .spec_checks import check_overrides
from .teacher_stages import TeacherRuleStage
from .train_stages import AdversarialErasingStage, TestStage, TrainStage

__all__ = [
    'BaseStage', 'ToolStage', 'MaskStage', 'Port', 'placeholder_port',
    'StageContext', 'stage_device', 'fill_placeholders', 'StageError',
    'check_pipeline', 'check_specs', 'ordered_specs', 'MARKER',
    'read_marker', 'run_stages', 'trained_model', 'check_overrides',
    'CAMStage', 'PseudoLabelStage', 'PSLPlusLabelStage', 'PredictedLabelStage',
    'AffinityLabelStage', 'SaliencyStage', 'ScoreLabelsStage',
    'SplitSimpleImagesStage', 'TestStage', 'TrainStage',
    'AdversarialErasingStage', 'LocalizationMapStage', 'ProposalScoreStage',
    'ProposalStage', 'TeacherRuleStage'
]
