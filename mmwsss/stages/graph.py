"""The shape of a pipeline: which stages, in which order, built and
checked before anything runs.

Stages run in the order the config lists them, moved after the stages whose
outputs they read (a ``'STAGE.OUTPUT'`` input).  Every spec is checked and
built up front (:func:`check_specs`, :mod:`mmwsss.stages.spec_checks`), so
a typo stops the run at once with every problem listed, not an hour in.
"""
import re
from typing import Any, Dict, List, Optional, Tuple

from mmengine.config import Config

from mmwsss.registry import STAGES
from .base import BaseStage
from .spec_checks import closest, placeholders, spec_problems

NAME_PATTERN = re.compile(r'^[A-Za-z0-9_-]+$')


class StageError(RuntimeError):
    """A stage cannot run (bad spec, missing or changed input)."""


def _producer(source: str, names) -> Optional[str]:
    stage, dot, output = str(source).partition('.')
    return stage if dot and output and stage in names else None


def ordered_specs(stages: Any) -> List[Tuple[str, dict]]:
    """``(name, spec)`` in run order: the config's order, each stage moved
    after the stages it reads from.  ``None`` entries (a child config
    dropping a stage of its base) are left out."""
    if not isinstance(stages, dict):
        raise StageError('stages must be a dict keyed by stage name '
                         '(stages=dict(classifier=dict(type=...), ...)), got '
                         f'{type(stages).__name__}')
    specs = {name: dict(spec) for name, spec in stages.items()
             if spec is not None}
    for name, spec in specs.items():
        if not NAME_PATTERN.match(str(name)):
            raise StageError(f'stage name {name!r} must be a folder-safe '
                             'word ([A-Za-z0-9_-])')
    order: List[str] = []
    pending = list(specs)
    while pending:
        for name in pending:
            needs = {_producer(s, specs)
                     for s in (specs[name].get('inputs') or {}).values()}
            needs.discard(None)
            if name in needs:
                raise StageError(f'stage {name!r} reads its own output')
            if needs <= set(order):
                order.append(name)
                pending.remove(name)
                break
        else:
            raise StageError(f'stages {pending} read each other\'s outputs '
                             '(a cycle)')
    return [(name, specs[name]) for name in order]


def build_stage(name: str, spec: dict) -> BaseStage:
    spec = {k: v for k, v in spec.items() if k != 'other_dataset'}
    try:
        return STAGES.build(spec)
    except (TypeError, ValueError, KeyError) as exc:
        raise StageError(f'stage {name!r} ({spec.get("type")}): {exc}') \
            from exc


def check_specs(specs: List[Tuple[str, dict]], variables: Dict[str, str],
                only: Optional[str] = None) -> Dict[str, BaseStage]:
    """Every stage spec (or just ``only``'s) checked and built before the
    first stage runs: one :class:`StageError` lists every problem (unknown
    types, options, producers, placeholders; arguments a stage refuses),
    each with the closest valid name.  Returns the built stages."""
    names = [name for name, _ in specs]
    problems, stages = [], {}
    for name, spec in specs:
        if only is not None and name != only:
            continue
        found = spec_problems(name, spec, names, variables)
        if not found:
            try:
                stages[name] = build_stage(name, spec)
            except StageError as exc:
                found = [str(exc)]
        problems += found
    producers = _producers(specs, stages)
    for name, stage in stages.items():
        problems += wiring_problems(name, dict(specs)[name], stage,
                                    producers)
    if problems:
        raise StageError('the pipeline config has {} problem{}:\n  '.format(
            len(problems), 's' if len(problems) > 1 else '') +
            '\n  '.join(problems))
    return stages


def _producers(specs: List[Tuple[str, dict]],
               built: Dict[str, BaseStage]) -> Dict[str, BaseStage]:
    """Every stage that builds, for looking up what it writes."""
    producers = dict(built)
    for name, spec in specs:
        if name not in producers:
            try:
                producers[name] = build_stage(name, spec)
            except StageError:
                pass  # its own problems are reported when it runs alone
    return producers


def wiring_problems(name: str, spec: dict, stage: BaseStage,
                    producers: Dict[str, BaseStage]) -> List[str]:
    """What is wrong with a stage's inputs against what the stages
    declare (:attr:`BaseStage.INPUTS`, :meth:`BaseStage.declared_outputs`):
    a required input missing, an output its producer does not write, a
    producer's output of another kind than the input reads, or an input
    the stage neither reads nor uses as a ``{placeholder}``."""
    kind = type(stage).__name__
    inputs = dict(spec.get('inputs') or {})
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
        producer = _producer(source, producers)
        if producer is None:
            continue
        output = str(source).split('.', 1)[1]
        written = producers[producer].declared_outputs()
        if output not in written:
            problems.append(
                f'stage {name!r}: input {key!r} = {source!r}, but stage '
                f'{producer!r} writes no {output!r}'
                f'{closest(output, written)}')
        elif port is not None and written[output].kind != port.kind:
            problems.append(
                f'stage {name!r}: input {key!r} reads {port.kind}, but '
                f'{source!r} is {written[output].kind}')
    return problems


def pipeline_variables(cfg: Config) -> Dict[str, str]:
    """Top-level strings of a pipeline config: the placeholders every stage
    may name (``{classifier}``, ``{segmentor}``, ``{data_root}``...)."""
    return {k: v for k, v in cfg.items()
            if isinstance(v, str) and NAME_PATTERN.match(k)}
