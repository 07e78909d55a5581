"""The shape of a pipeline: which stages, in which order, built and
checked before anything runs.

Stages run in the order the config lists them, moved after the stages whose
outputs they read (a ``'STAGE.OUTPUT'`` input).  Every spec is checked and
built up front (:func:`check_pipeline`, :func:`check_specs`,
:mod:`mmwsss.stages.spec_checks`, :mod:`mmwsss.stages.option_checks`), so
a typo stops the run at once with every problem listed in one error, not
an hour in, and not one problem per attempt.
"""
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from mmengine.config import Config

from mmwsss.registry import STAGES
from .base import BaseStage, Port
from .option_checks import common_placeholder_problems, option_problems
from .spec_checks import closest, placeholders, spec_problems

NAME_PATTERN = re.compile(r'^[A-Za-z0-9_-]+$')

#: What each stage of a pipeline writes (stage name -> output -> port).
Outputs = Dict[str, Dict[str, Port]]


class StageError(RuntimeError):
    """A stage cannot run (bad spec, missing or changed input)."""


def producer_of(source: str, names) -> Optional[str]:
    """The stage an input ``'STAGE.OUTPUT'`` reads from, or ``None`` when
    ``source`` names no stage of ``names`` (then it is a path)."""
    stage, dot, output = str(source).partition('.')
    return stage if dot and output and stage in names else None


def _inputs(spec: dict) -> Dict[str, Any]:
    """A spec's inputs; ``{}`` when they are not a dict (reported by
    :func:`~mmwsss.stages.spec_checks.spec_problems`)."""
    inputs = spec.get('inputs') or {}
    return dict(inputs) if isinstance(inputs, dict) else {}


def order_stages(stages: Any) -> Tuple[List[Tuple[str, dict]], List[str]]:
    """``(name, spec)`` in run order, and the problems of the order (bad
    stage names, a stage reading itself, a cycle).  Stages of a cycle go
    last in the config's order, so that every other problem of the config
    can still be found and listed with them."""
    if not isinstance(stages, dict):
        raise StageError('stages must be a dict keyed by stage name '
                         '(stages=dict(classifier=dict(type=...), ...)), got '
                         f'{type(stages).__name__}')
    specs = {name: dict(spec) for name, spec in stages.items()
             if spec is not None}
    problems = [f'stage name {name!r} must be a folder-safe word '
                '([A-Za-z0-9_-])' for name in specs
                if not NAME_PATTERN.match(str(name))]
    needs: Dict[str, Set[str]] = {}
    for name, spec in specs.items():
        needs[name] = {producer_of(s, specs) for s in _inputs(spec).values()}
        needs[name].discard(None)
        if name in needs[name]:
            problems.append(f'stage {name!r} reads its own output')
            needs[name].discard(name)
    order: List[str] = []
    pending = list(specs)
    while pending:
        ready = next((n for n in pending if needs[n] <= set(order)), None)
        if ready is None:
            problems.append(f'stages {_cycle(pending, needs)} read each '
                            'other\'s outputs (a cycle)')
            order += pending
            break
        order.append(ready)
        pending.remove(ready)
    return [(name, specs[name]) for name in order], problems


def _cycle(pending: List[str], needs: Dict[str, Set[str]]) -> List[str]:
    """The stages of ``pending`` that are in a cycle: those left when the
    stages no other pending stage reads from (stages that only wait for
    the cycle) are dropped, again and again."""
    cycle = list(pending)
    while True:
        read = set().union(*(needs[name] for name in cycle))
        kept = [name for name in cycle if name in read]
        if kept == cycle:
            return cycle
        cycle = kept


def ordered_specs(stages: Any) -> List[Tuple[str, dict]]:
    """``(name, spec)`` in run order: the config's order, each stage moved
    after the stages it reads from.  ``None`` entries (a child config
    dropping a stage of its base) are left out."""
    specs, problems = order_stages(stages)
    if len(problems) == 1:
        raise StageError(problems[0])
    if problems:
        raise problems_error(problems)
    return specs


def problems_error(problems: Sequence[str]) -> StageError:
    """One error listing every problem of a pipeline config."""
    return StageError('the pipeline config has {} problem{}:\n  '.format(
        len(problems), 's' if len(problems) > 1 else '') +
        '\n  '.join(problems))


def build_stage(name: str, spec: dict) -> BaseStage:
    """The stage of a spec (less the keys the pipeline reads); a refused
    argument is a :class:`StageError` naming the stage."""
    spec = {k: v for k, v in spec.items() if k != 'other_dataset'}
    try:
        return STAGES.build(spec)
    except (TypeError, ValueError, KeyError) as exc:
        raise StageError(f'stage {name!r} ({spec.get("type")}): {exc}') \
            from exc


def check_specs(specs: List[Tuple[str, dict]], variables: Dict[str, str],
                only: Optional[str] = None, *,
                config_dir: Optional[str] = None,
                common: Optional[Dict[str, Any]] = None,
                found: Sequence[str] = ()) -> Dict[str, BaseStage]:
    """Every stage spec (or just ``only``'s) checked and built before the
    first stage runs: one :class:`StageError` lists every problem (unknown
    types, options, producers, placeholders; arguments a stage refuses;
    wiring, also of stages whose options are wrong; the ``common``
    options' placeholders; with ``config_dir``, the option keys against
    the configs they change) and the problems ``found`` before (the
    order), each with the closest valid name.  Returns the built
    stages."""
    names = [name for name, _ in specs]
    scope = [(name, spec) for name, spec in specs
             if only is None or name == only]
    problems, stages = list(found), {}
    for name, spec in scope:
        own = spec_problems(name, spec, names, variables)
        if not own:
            try:
                stages[name] = build_stage(name, spec)
            except StageError as exc:
                own = [str(exc)]
        problems += own
    outputs = producer_outputs(specs, stages)
    for name, spec in scope:
        if name in stages:
            problems += wiring_problems(name, spec, stages[name], outputs)
        else:
            problems += reference_problems(name, spec, outputs)
    problems += common_placeholder_problems(common or {}, variables)
    if config_dir is not None:
        problems += option_problems(scope, variables, config_dir,
                                    common or {})
    if problems:
        raise problems_error(problems)
    return stages


def _stage_class(spec: dict) -> Optional[type]:
    """The registered class of a spec's ``type``, ``None`` if unknown."""
    kind = spec.get('type')
    return STAGES.get(kind) if isinstance(kind, str) else None


def producer_outputs(specs: List[Tuple[str, dict]],
                     built: Dict[str, BaseStage]) -> Outputs:
    """What every stage of a known type writes: as built with its options,
    or, for a stage whose spec is wrong, all that its class can write
    (:attr:`~BaseStage.OUTPUTS`), so that the stages reading it are still
    checked and its own mistake is not blamed on them."""
    outputs = {name: stage.declared_outputs()
               for name, stage in built.items()}
    for name, spec in specs:
        stage_cls = _stage_class(spec)
        if name in outputs or stage_cls is None:
            continue
        try:
            outputs[name] = build_stage(name, spec).declared_outputs()
        except StageError:
            outputs[name] = dict(stage_cls.OUTPUTS)
    return outputs


def _reference_problems(name: str, key: str, source: Any,
                        port: Optional[Port], outputs: Outputs) -> List[str]:
    """An input ``'STAGE.OUTPUT'`` naming an output its producer does not
    write, or one of another kind than the input reads."""
    producer = producer_of(source, outputs)
    if producer is None:
        return []
    output = str(source).split('.', 1)[1]
    written = outputs[producer]
    if output not in written:
        return [f'stage {name!r}: input {key!r} = {source!r}, but stage '
                f'{producer!r} writes no {output!r}'
                f'{closest(output, written)}']
    if port is not None and written[output].kind != port.kind:
        return [f'stage {name!r}: input {key!r} reads {port.kind}, but '
                f'{source!r} is {written[output].kind}']
    return []


def reference_problems(name: str, spec: dict,
                       outputs: Outputs) -> List[str]:
    """The references of a stage that cannot be built (its own problems
    are listed already), checked against its class's
    :attr:`~BaseStage.INPUTS`.  Which inputs it needs or leaves unread
    depends on its options, which are wrong: those checks wait for the
    fixed spec."""
    ports = getattr(_stage_class(spec), 'INPUTS', {})
    problems = []
    for key, source in _inputs(spec).items():
        problems += _reference_problems(name, key, source, ports.get(key),
                                        outputs)
    return problems


def wiring_problems(name: str, spec: dict, stage: BaseStage,
                    outputs: Outputs) -> List[str]:
    """What is wrong with a stage's inputs against what the stages
    declare (:attr:`BaseStage.INPUTS`, :meth:`BaseStage.declared_outputs`):
    a required input missing, an output its producer does not write, a
    producer's output of another kind than the input reads, or an input
    the stage neither reads nor uses as a ``{placeholder}``."""
    kind = type(stage).__name__
    inputs = _inputs(spec)
    problems = [f'stage {name!r} ({kind}) needs an input {key!r} '
                f'({port.kind})' for key, port in
                stage.required_inputs().items() if key not in inputs]
    used = placeholders({k: v for k, v in spec.items() if k != 'inputs'})
    for key, source in inputs.items():
        port = stage.INPUTS.get(key)
        if port is None and key not in used:
            problems.append(
                f'stage {name!r} ({kind}): input {key!r} is neither read by '
                f'the stage{closest(key, stage.INPUTS)} nor used as a '
                f'{{{key}}} placeholder')
        elif port is not None and port.placeholder and key not in used:
            problems.append(
                f'stage {name!r} ({kind}): input {key!r} reaches the stage '
                f'only as a {{{key}}} placeholder, and neither its config '
                'nor its options name it')
        problems += _reference_problems(name, key, source, port, outputs)
    return problems


def pipeline_variables(cfg: Config) -> Dict[str, str]:
    """Top-level strings of a pipeline config: the placeholders every stage
    may name (``{classifier}``, ``{segmentor}``, ``{data_root}``...)."""
    return {k: v for k, v in cfg.items()
            if isinstance(v, str) and NAME_PATTERN.match(k)}


@dataclass
class PipelinePlan:
    """A pipeline config, checked: its stages in run order, those built
    (all, or the one to run), and what their configs are filled with."""
    specs: List[Tuple[str, dict]]
    stages: Dict[str, BaseStage]
    variables: Dict[str, str] = field(default_factory=dict)
    common: Dict[str, Any] = field(default_factory=dict)
    config_dir: str = ''

    @property
    def names(self) -> List[str]:
        return [name for name, _ in self.specs]


def check_pipeline(cfg: Config, only: Optional[str] = None) -> PipelinePlan:
    """Order and check every stage of a pipeline config (or the one stage
    ``only``) before anything runs; one :class:`StageError` lists every
    problem.  Reads the stage configs, never their data."""
    specs, found = order_stages(cfg.stages)
    names = [name for name, _ in specs]
    if only is not None and only not in names:
        raise StageError(f'no stage {only!r} in this config'
                         f'{closest(only, names)}; stages: {names}')
    config_dir = osp.dirname(osp.abspath(cfg.filename)) \
        if cfg.filename else os.getcwd()
    common = dict(cfg.get('common_cfg_options') or {})
    variables = pipeline_variables(cfg)
    stages = check_specs(specs, variables, only, config_dir=config_dir,
                         common=common, found=found)
    return PipelinePlan(specs, stages, variables, common, config_dir)
