"""Checking a pipeline's stage specs and a command line's overrides before
anything runs.

A typo in a stage option (``worker=1``), a stage type (``TrainStag``), an
input's producer (``psll.checkpoint``), a placeholder (``{segmentr}``) or a
``--cfg-options`` key that matches nothing (``seed=123``) would otherwise
surface only when its stage starts, possibly an hour into a run, or never:
MMEngine merges an unknown key silently.  Every problem of a config is
collected into one message, each with the closest valid name.
"""
import difflib
import inspect
import os.path as osp
from typing import (Any, Dict, Iterable, List, Optional, Sequence, Set,
                    Tuple)

from mmwsss.registry import STAGES
from .base import PLACEHOLDER

#: Spec keys the pipeline itself reads (not arguments of the stage class).
PIPELINE_SPEC_KEYS = ('type', 'other_dataset')
#: Placeholders every stage may name besides its inputs and the config's
#: top-level strings.
BUILTIN_PLACEHOLDERS = ('work_dir', 'stage_dir')
#: Top-level keys MMEngine's runner reads although configs often omit them,
#: and the keys of a pipeline config; an override may add these.
RUNNER_KEYS = ('load_from', 'resume', 'randomness', 'env_cfg', 'launcher',
               'log_level', 'default_hooks', 'custom_hooks', 'visualizer',
               'log_processor', 'experiment_name', 'auto_scale_lr',
               'default_scope', 'work_dir', 'train_cfg', 'val_cfg',
               'test_cfg', 'optim_wrapper', 'param_scheduler')
#: the pipeline config key of the stages that apply when some training
#: images have pixel masks (:mod:`mmwsss.stages.variants`)
SUBSET_STAGES = 'pixel_subset_stages'
PIPELINE_KEYS = ('stages', 'common_cfg_options', 'final_model',
                 'dataset_check', 'data_root', SUBSET_STAGES)
_HINTS = {'seed': 'randomness.seed (or the --seed flag)'}


def closest(name: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the nearest of ``choices``, or a
    list of them when none is near."""
    choices = sorted({str(c) for c in choices})
    if name in _HINTS:
        return f' (did you mean {_HINTS[name]}?)'
    near = difflib.get_close_matches(str(name), choices, n=1, cutoff=0.6)
    if near:
        return f' (did you mean {near[0]!r}?)'
    return f' (valid: {", ".join(choices)})' if choices else ''


def stage_arguments(stage_cls: type) -> Set[str]:
    """Names a stage class accepts: the parameters of its ``__init__`` and
    of every base ``__init__`` its ``**kwargs`` are passed on to."""
    names: Set[str] = set()
    for cls in stage_cls.__mro__:
        init = cls.__dict__.get('__init__')
        if init is None:
            continue
        params = inspect.signature(init).parameters.values()
        names |= {p.name for p in params if p.name != 'self' and p.kind in (
            p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            break
    return names


def placeholders(value: Any) -> Set[str]:
    """The ``{name}`` placeholders anywhere in ``value``."""
    if isinstance(value, str):
        return set(PLACEHOLDER.findall(value))
    if isinstance(value, dict):
        return set().union(*map(placeholders, value.values())) \
            if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*map(placeholders, value)) if value else set()
    return set()


def _input_problems(name: str, inputs: Dict[str, Any],
                    names: Sequence[str]) -> List[str]:
    """An input is ``'STAGE.OUTPUT'`` of a stage of this pipeline or an
    existing path; anything else is a typo of one or the other."""
    problems = []
    for key, source in inputs.items():
        source = str(source)
        stage, dot, output = source.partition('.')
        if dot and output and stage in names:
            continue
        if osp.exists(source):
            continue
        if dot and '/' not in stage and not osp.exists(stage):
            problems.append(
                f'stage {name!r}: input {key!r} = {source!r} names no stage '
                f'of this pipeline{closest(stage, names)} and no existing '
                'path')
        else:
            problems.append(f'stage {name!r}: input {key!r}: {source} does '
                            'not exist')
    return problems


def spec_problems(name: str, spec: dict, names: Sequence[str],
                  variables: Iterable[str]) -> List[str]:
    """What is wrong with one stage spec (an empty list when nothing)."""
    kind = spec.get('type')
    stage_cls = STAGES.get(kind) if isinstance(kind, str) else None
    if stage_cls is None:
        return [f'stage {name!r}: unknown stage type {kind!r}'
                f'{closest(str(kind), STAGES.module_dict)}']
    accepted = stage_arguments(stage_cls)
    problems = [
        f'stage {name!r} ({kind}): unknown option {key!r}'
        f'{closest(key, accepted)}'
        for key in spec if key not in accepted and
        key not in PIPELINE_SPEC_KEYS]
    inputs = spec.get('inputs') or {}
    if not isinstance(inputs, dict):
        return problems + [f'stage {name!r}: inputs must be a dict (name -> '
                           f"'STAGE.OUTPUT' or a path), got {inputs!r}"]
    problems += _input_problems(name, inputs, names)
    known = set(variables) | set(inputs) | set(BUILTIN_PLACEHOLDERS)
    for placeholder in sorted(placeholders(
            {k: v for k, v in spec.items() if k != 'inputs'})):
        if placeholder not in known:
            problems.append(f'stage {name!r}: unknown placeholder '
                            f'{{{placeholder}}}{closest(placeholder, known)}')
    return problems


def missing_part(tree: Dict[str, Any],
                 key: str) -> Optional[Tuple[str, str]]:
    """``(the first part of dotted key that names nothing, the closest
    valid name)``, or ``None`` when ``key`` fits ``tree``: its first part
    is a key of ``tree`` (or one of :data:`RUNNER_KEYS`), each later part
    but the last a key of the dict above it.  A part under a value that is
    not a dict (``None``: a part switched off; a list) is not checked.
    The one rule for ``--cfg-options`` and for a pipeline's
    ``cfg_options``."""
    parts = str(key).split('.')
    head = parts[0]
    if head not in tree:
        if head in RUNNER_KEYS:
            return None
        return head, closest(head, set(tree) | set(RUNNER_KEYS))
    node = tree[head]
    for depth, part in enumerate(parts[1:-1], 1):
        if not isinstance(node, dict):
            return None
        if part not in node:
            return '.'.join(parts[:depth + 1]), closest(part, node)
        node = node[part]
    return None


def override_problems(options: Dict[str, Any], tree: Dict[str, Any],
                      stage_names: Optional[Sequence[str]] = None,
                      subset_names: Sequence[str] = ()) -> List[str]:
    """``--cfg-options`` keys that match nothing (:func:`missing_part`):
    MMEngine would add them and nobody would read them.  On a pipeline
    config (``stage_names`` given) its own keys may be added, and a
    ``stages.NAME`` key must name a stage (what it sets in the stage is
    checked with the stage's spec; one of ``subset_names``, the stages
    only a pixel subset adds, is set through ``pixel_subset_stages``)."""
    problems = []
    for key in options:
        head, _, rest = str(key).partition('.')
        if stage_names is not None and head == 'stages':
            stage = rest.split('.')[0]
            if stage in subset_names:
                problems.append(f'--cfg-options {key}: stage {stage!r} runs '
                                'only when some training images have pixel '
                                f'masks: set {SUBSET_STAGES}.{rest}')
            elif stage not in stage_names:
                problems.append(f'--cfg-options {key}: no stage {stage!r}'
                                f'{closest(stage, stage_names)}')
            continue
        if stage_names is not None and head in PIPELINE_KEYS:
            continue
        missing = missing_part(tree, key)
        if missing:
            part, hint = missing
            problems.append(f'--cfg-options {key}: the config has no key '
                            f'{part!r}{hint}')
    return problems


def check_overrides(cfg, options: Dict[str, Any], config_path: str) -> None:
    """Raise ``ValueError`` listing every ``--cfg-options`` key of
    ``options`` that matches nothing in ``cfg`` (see
    :func:`override_problems`)."""
    stages = cfg.get('stages')
    names = list(stages) if isinstance(stages, dict) else None
    extra = cfg.get(SUBSET_STAGES)
    subset_names = [name for name in extra or {} if name not in (names or [])]
    problems = override_problems(options, dict(cfg.items()), names,
                                 subset_names)
    if problems:
        raise ValueError(f'{config_path}: ' + '; '.join(problems))
