from . import weight_init  # noqa: F401  (converter:// checkpoints)
from .backbones import *  # noqa: F401,F403
from .classifiers import *  # noqa: F401,F403
from .data_preprocessors import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .segmentors import *  # noqa: F401,F403
