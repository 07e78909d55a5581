"""What every pipeline stage shares: its settings, its folder, its inputs.

A stage is one step of a multi-stage method (train the classifier, make
saliency maps, write pseudo masks, train the segmentor...).  A pipeline
config keys its stages by name, so a child config can change one stage of
its ``_base_`` pipeline (or drop it with ``None``)::

    classifier = 'ae/ae_vgg16_voc.py'        # pipeline-level placeholders
    segmentor = 'psl/psl_largefov_vgg16_6k_voc12aug.py'
    stages = dict(
        psl=dict(type='TrainStage',           # a registered stage kind
                 config='{segmentor}',        # an ordinary config
                 inputs=dict(masks='pseudo_labels.labels'),  # STAGE.OUTPUT
                 cfg_options={'train_dataloader.dataset.'
                              'pseudo_seg_map_path': '{masks}'}))

``config`` is a path (relative to the pipeline config's folder) or an
inline config dict.  The pipeline's ``common_cfg_options`` are merged into
every stage's config first (e.g. one ``data_root`` for all stages).
Strings in ``config``, ``cfg_options`` and the stage's own arguments may
name ``{work_dir}``, ``{stage_dir}``, any input, or any top-level string
of the pipeline config (``{classifier}``, ``{data_root}``...); they are
filled in when the stage runs.  A stage returns its outputs (names ->
paths inside its folder); the pipeline records them in the stage's
completion marker for later stages.
"""
import os.path as osp
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from mmengine.config import Config

from mmwsss.apis.config_checks import prepare_config

PLACEHOLDER = re.compile(r'\{(\w+)\}')


def merge_options(cfg: Config, options: Dict[str, Any]) -> None:
    """Merge ``{dotted key: value}`` options into ``cfg`` one key at a
    time.  ``Config.merge_from_dict`` builds one tree from all keys first,
    so ``a.b.c`` and a nested ``a`` (what ``--cfg-options
    common_cfg_options.a.b.d=1`` adds beside a template's
    ``'a.b.c': ...``) collide and the later one silently drops the other.
    """
    for key, value in options.items():
        cfg.merge_from_dict({key: value})


def fill_placeholders(value: Any, values: Dict[str, str]) -> Any:
    """Replace ``{name}`` in every string of ``value`` (nested dicts and
    lists too) by ``values[name]``; unknown names are an error, so a typo
    does not silently become a literal path."""
    if isinstance(value, str):
        def replace(match):
            name = match.group(1)
            if name not in values:
                raise KeyError(f'unknown placeholder {{{name}}} in '
                               f'{value!r}; known: {sorted(values)}')
            return str(values[name])
        return PLACEHOLDER.sub(replace, value)
    if isinstance(value, dict):
        return type(value)(
            (k, fill_placeholders(v, values)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(fill_placeholders(v, values) for v in value)
    return value


@dataclass
class StageContext:
    """Where a stage runs: its folder, resolved inputs, launcher, and the
    pipeline-level values its placeholders may name."""
    name: str
    work_dir: str
    stage_dir: str
    config_dir: str
    launcher: str = 'none'
    pipeline_config: Optional[str] = None
    inputs: Dict[str, str] = field(default_factory=dict)
    common_cfg_options: Dict[str, Any] = field(default_factory=dict)
    variables: Dict[str, str] = field(default_factory=dict)

    @property
    def placeholders(self) -> Dict[str, str]:
        return dict(self.variables, **self.inputs, work_dir=self.work_dir,
                    stage_dir=self.stage_dir)

    def fill(self, value: Any) -> Any:
        return fill_placeholders(value, self.placeholders)


class BaseStage(ABC):
    """A stage kind.  Subclasses implement :meth:`run` and return their
    outputs as paths relative to ``ctx.stage_dir``.

    Args:
        config: the config the stage works with (path or dict).
        cfg_options: overrides merged into that config (placeholders
            allowed).
        inputs: names -> ``'STAGE.OUTPUT'`` or a path; checked before the
            stage starts.
    """

    def __init__(self,
                 config: Any = None,
                 cfg_options: Optional[dict] = None,
                 inputs: Optional[Dict[str, str]] = None) -> None:
        if config is None:
            raise ValueError(f'{type(self).__name__} needs a config')
        self.config = config
        self.cfg_options = dict(cfg_options or {})
        self.inputs = dict(inputs or {})

    def load_config(self, ctx: StageContext) -> Config:
        """The stage's config with its overrides and ``work_dir`` set to
        the stage's folder."""
        config = ctx.fill(self.config)
        if isinstance(config, str):
            path = config if osp.isabs(config) else osp.join(ctx.config_dir,
                                                             config)
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'stage {ctx.name!r}: config {path} does not exist')
            cfg = Config.fromfile(path)
        else:
            path = ctx.pipeline_config
            cfg = Config(dict(config))
        for options in (ctx.common_cfg_options, self.cfg_options):
            merge_options(cfg, ctx.fill(dict(options or {})))
        cfg.work_dir = ctx.stage_dir
        return prepare_config(cfg, path)

    def settings(self) -> Dict[str, Any]:
        """The stage's own arguments (besides its config), which decide
        its outputs as much as the config does."""
        return {k: v for k, v in vars(self).items()
                if k not in ('config', 'cfg_options', 'inputs', 'report')}

    @abstractmethod
    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        """Do the work in ``ctx.stage_dir`` with the resolved ``cfg``;
        return the outputs."""
