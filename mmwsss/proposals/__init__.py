"""Proposal-based localization (HCP + multi-instance re-ranking), one file
per step: object proposals (:mod:`.selective_search`, cached per image by
:mod:`.proposal_files`), the HCP classifier's scores and features of them
(:mod:`.scoring`), re-ranking across images (:mod:`.reranking`), and the
soft localization maps the top proposals vote (:mod:`.localization_maps`).
The classifier itself is :class:`mmwsss.models.HCPClassifier`."""
from .localization_maps import (make_localization_maps, proposal_class_scores,
                                vote_map)
from .proposal_files import (DEFAULT_PROPOSAL_SETTINGS, load_proposals,
                             make_proposals, proposal_settings, save_proposals)
from .reranking import consistency_scores, rerank_class, rerank_dataset
from .scoring import load_scores, score_proposals
from .selective_search import Proposals, selective_search

__all__ = [
    'DEFAULT_PROPOSAL_SETTINGS', 'Proposals', 'consistency_scores',
    'load_proposals', 'load_scores', 'make_localization_maps',
    'make_proposals', 'proposal_class_scores', 'proposal_settings',
    'rerank_class', 'rerank_dataset',
    'save_proposals', 'score_proposals', 'selective_search', 'vote_map'
]
