"""The optional extras: without onnxruntime (``.[saliency]``) or
scikit-image (``.[hcp]``) mmwsss still imports, and what needs them stops
with a ``MissingExtraError`` naming the extra to install.  Each check runs
in a fresh interpreter in which importing the extra's module fails, as on
a machine where it was never installed."""
import json

import pytest

from conftest import run_tool

#: block the given top-level modules, import mmwsss, then use what needs
#: them; prints each outcome as JSON
WITHOUT_EXTRAS = """
import json, sys
for name in sys.argv[1].split(','):  # importing them now fails
    sys.modules[name] = None
import numpy as np
import mmwsss
from mmwsss.compat import MissingExtraError
outcome = {}
try:
    from mmwsss.saliency import U2NetpSaliency
    U2NetpSaliency(sys.argv[2])
except MissingExtraError as exc:
    outcome['saliency'] = str(exc)
try:
    from mmwsss.proposals import selective_search
    selective_search(np.zeros((16, 16, 3), np.uint8))
except MissingExtraError as exc:
    outcome['proposals'] = str(exc)
print(json.dumps(outcome))
"""


@pytest.mark.subprocess
def test_missing_extras_name_what_to_install(tmp_path):
    model = tmp_path / 'u2netp.onnx'
    model.write_bytes(b'not read: onnxruntime is missing')
    out = run_tool('-c', WITHOUT_EXTRAS,
                   'onnxruntime,skimage,skimage.segmentation', str(model),
                   cwd=str(tmp_path)).stdout
    outcome = json.loads(out.strip().splitlines()[-1])
    assert 'U2NetpSaliency needs onnxruntime' in outcome['saliency']
    assert '".[saliency]"' in outcome['saliency'].replace('-e ', '')
    assert 'scikit-image' in outcome['proposals']
    assert '.[hcp]' in outcome['proposals']
