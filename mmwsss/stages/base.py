"""What every pipeline stage shares: its settings, its folder, its inputs.

A stage is one step of a multi-stage method (train the classifier, make
saliency maps, write pseudo masks, train the segmentor...).  A pipeline
config keys its stages by name, so a child config can change one stage of
its ``_base_`` pipeline (or drop it with ``None``)::

    # pipeline-level placeholders
    classifier = 'ae/ae_vgg16-d8_1xb16-5-5-5-5e_voc12aug-512x512.py'
    segmentor = 'psl/psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py'
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
from mmengine.dist import barrier
from mmengine.logging import print_log
from mmengine.registry import init_default_scope

from mmwsss.apis import init_model
from mmwsss.apis.config_checks import prepare_config
from mmwsss.pseudo_labels import tally_label_folder
from mmwsss.registry import DATASETS
from mmwsss.utils.dist import init_distributed

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


def merge_common_options(cfg: Config, options: Dict[str, Any]) -> None:
    """:func:`merge_options` for the options a pipeline gives every stage
    (``common_cfg_options``), less those under a part this stage's config
    switched off: ``val_dataloader.dataset.data_root`` is for the stages
    that validate, not for one whose config says ``val_dataloader = None``.
    """
    merge_options(cfg, {key: value for key, value in options.items()
                        if not _switched_off(cfg, key)})


def _switched_off(cfg: Config, key: str) -> bool:
    """Whether a dotted ``key`` passes through a value set to ``None``
    (a part that is absent is created by the merge, as before)."""
    node = cfg
    for part in key.split('.')[:-1]:
        if not isinstance(node, (Config, dict)) or part not in node:
            return False
        node = node[part]
        if node is None:
            return True
    return False


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


@dataclass(frozen=True)
class Port:
    """One input or output of a stage kind: what it holds (``kind``: a
    ``checkpoint``, a folder of ``masks``, ``maps``, ``cams``,
    ``regions``, ``proposals``, ``scores``, an image-id ``list``, a
    ``json`` or ``png`` file) and, for an input, whether the stage cannot
    run without it, and whether it reaches the stage only through a
    ``{placeholder}`` of its config or options (``placeholder``: a
    training stage's ``masks`` go to its dataset, not to its code).  The
    pipeline checks every ``'STAGE.OUTPUT'`` input against the producer's
    outputs and kinds before anything runs, those of placeholder inputs
    too, and that a placeholder input is named somewhere."""
    kind: str
    required: bool = True
    placeholder: bool = False


def placeholder_port(kind: str) -> Port:
    """An optional input that reaches the stage only through a
    ``{placeholder}`` of its config or options (see :class:`Port`)."""
    return Port(kind, required=False, placeholder=True)


class BaseStage(ABC):
    """A stage kind.  Subclasses implement :meth:`run` and return their
    outputs as paths relative to ``ctx.stage_dir``, and declare what they
    read and write (:attr:`INPUTS`, :attr:`OUTPUTS`).

    Args:
        config: the config the stage works with (path or dict).
        cfg_options: overrides merged into that config (placeholders
            allowed).
        inputs: names -> ``'STAGE.OUTPUT'`` or a path; checked before the
            stage starts.
    """

    #: The inputs the stage reads (name -> :class:`Port`), by its code or
    #: through a ``{placeholder}`` (``Port(..., placeholder=True)``, e.g. a
    #: training stage's ``masks``).  A spec may give other inputs only to
    #: fill ``{placeholders}`` of its config or options; their kind is
    #: then not checked.
    INPUTS: Dict[str, Port] = {}
    #: What the stage writes (name -> :class:`Port`).
    OUTPUTS: Dict[str, Port] = {}

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
        merge_common_options(cfg, ctx.fill(dict(ctx.common_cfg_options
                                                or {})))
        merge_options(cfg, ctx.fill(dict(self.cfg_options or {})))
        cfg.work_dir = ctx.stage_dir
        return prepare_config(cfg, path)

    def declared_outputs(self) -> Dict[str, Port]:
        """The outputs this stage (with its settings) writes."""
        return dict(self.OUTPUTS)

    def required_inputs(self) -> Dict[str, Port]:
        """The inputs this stage cannot run without, with its settings."""
        return {name: port for name, port in self.INPUTS.items()
                if port.required}

    def require(self, ctx: StageContext) -> None:
        """Stop, naming the stage, when a required input is missing (the
        pipeline checks specs first; this guards direct use)."""
        missing = [name for name in self.required_inputs()
                   if name not in ctx.inputs]
        if missing:
            raise ValueError(f'stage {ctx.name!r} ({type(self).__name__}) '
                             f'needs inputs named {missing}')

    def settings(self) -> Dict[str, Any]:
        """The stage's own arguments (besides its config), which decide
        its outputs as much as the config does."""
        return {k: v for k, v in vars(self).items()
                if k not in ('config', 'cfg_options', 'inputs', 'report')}

    @abstractmethod
    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        """Do the work in ``ctx.stage_dir`` with the resolved ``cfg``;
        return the outputs."""


def stage_device(ctx: StageContext) -> str:
    """The device a stage's model runs on: this rank's GPU, else the CPU
    (starting the process group first under a distributed launch)."""
    import torch
    if ctx.launcher != 'none' and not torch.distributed.is_initialized():
        return init_distributed(ctx.launcher)
    if not torch.cuda.is_available():
        return 'cpu'
    return f'cuda:{torch.cuda.current_device()}'


class ToolStage(BaseStage):
    """A stage running one per-image step of :mod:`mmwsss.pseudo_labels`
    or :mod:`mmwsss.proposals` over the images of a dataloader
    (``dataset_key``: the training split without augmentation,
    ``cam_dataloader``), with the batch size of the stages that run a
    model (``batch_size``, default the dataloader's)."""

    def __init__(self, dataset_key: str = 'cam_dataloader',
                 batch_size: Optional[int] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.dataset_key = dataset_key
        self.batch_size = batch_size
        self.report: dict = {}

    def dataset(self, cfg: Config, key: Optional[str] = None):
        """The dataset of dataloader ``key`` (default ``dataset_key``)."""
        key = key or self.dataset_key
        init_default_scope(cfg.get('default_scope', 'mmseg'))
        if not cfg.get(key):
            raise KeyError(f'config has no {key} (the images this stage '
                           'works on)')
        return DATASETS.build(cfg[key].dataset)

    def dataset_and_model(self, ctx: StageContext, cfg: Config):
        """For a stage that runs the model of its input ``checkpoint``:
        its inputs checked, then the dataset and that model on this rank's
        device."""
        self.require(ctx)
        dataset = self.dataset(cfg)
        return dataset, init_model(cfg, ctx.inputs['checkpoint'],
                                   device=stage_device(ctx))

    def loader_settings(self, cfg: Config) -> dict:
        loader = cfg[self.dataset_key]
        return dict(batch_size=self.batch_size or loader.get('batch_size', 1),
                    num_workers=loader.get('num_workers', 0))

    def record(self, ctx: StageContext, tally: dict) -> None:
        self.report = dict(tally=tally)
        print_log(f'stage {ctx.name!r}: {tally}', logger='current')


#: A mask stage fails when more than this share of the labelled images
#: get no object pixel at all (healthy runs lose a few percent).
DEFAULT_MAX_EMPTY_SHARE = 0.25


class MaskStage(ToolStage):
    """A stage that writes masks of the training images (output
    ``labels``) and checks them: a broken input (all-zero CAMs, another
    dataset's saliency maps) that leaves more than ``max_empty_share`` of
    the labelled images without any object pixel stops the pipeline
    instead of training silently."""
    OUTPUTS = dict(labels=Port('masks'))

    def __init__(self, max_empty_share: float = DEFAULT_MAX_EMPTY_SHARE,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.max_empty_share = max_empty_share

    def check_masks(self, ctx: StageContext, dataset, folder: str) -> None:
        barrier()  # every rank has written its shard
        summary = tally_label_folder(dataset, folder)
        self.report['masks'] = summary
        labelled = max(summary['labelled_images'], 1)
        share = summary['empty_labelled_images'] / labelled
        print_log(
            f'stage {ctx.name!r}: background '
            f'{summary["background_pixels"]:.1f}'
            f'% / object {summary["foreground_pixels"]:.1f}% / ignored '
            f'{summary["ignored_pixels"]:.1f}% of pixels; '
            f'{summary["empty_labelled_images"]} of {labelled} labelled '
            'images without any object pixel', logger='current')
        if share > self.max_empty_share:
            raise RuntimeError(
                f'stage {ctx.name!r}: {summary["empty_labelled_images"]} of '
                f'{labelled} labelled images got no object pixel in {folder} '
                f'(e.g. {summary["empty_examples"]}), more than '
                f'max_empty_share={self.max_empty_share}: check its inputs '
                f'({ctx.inputs})')
