"""The one reader of proposal files (written by
:mod:`mmwsss.proposals.proposal_files`): it sits here, below the datasets,
because the data pipeline (:class:`LoadProposals`) reads the boxes too."""
from typing import Dict, Optional, Sequence

import numpy as np

from .files import read_npz


def read_proposal_arrays(path: str, keys: Optional[Sequence[str]] = None
                         ) -> Dict[str, np.ndarray]:
    """The arrays ``keys`` (default: all) of a proposal file."""
    return read_npz(path, 'proposal file', keys)


def load_proposal_boxes(path: str) -> np.ndarray:
    """The ``(N, 4)`` boxes of a proposal file, best first (only they are
    decompressed)."""
    return read_proposal_arrays(path, ('boxes', ))['boxes'].astype(
        np.float32)
