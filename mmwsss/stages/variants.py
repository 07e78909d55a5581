"""The stages a pipeline adds when some training images have pixel masks.

A config cannot know whether a user's folder holds ``masks/`` (nor whether
a VOC-layout dataset was given a pixel list on the command line), so a
pipeline names both shapes: ``stages`` for tags alone, and
``pixel_subset_stages``, stage specs merged over ``stages`` when the
training images include a pixel-labelled subset.  The merge is the one a
child config's ``stages`` gets over its base's: a stage's dict is merged
key by key (``psl=dict(inputs=dict(masks='teacher_labels.labels'))``
rewires one input, ``None`` for an input drops it), a new name adds a
stage, ``None`` drops one.  The run
decides from the data before anything runs and logs which shape it took;
``--cfg-options pixel_subset_stages=None`` keeps the tags-only shape
whatever the data holds.
"""
import copy
from typing import Dict

from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmwsss.datasets.pixel_labels import pixel_labelled_infos
from mmwsss.registry import DATASETS
from .spec_checks import SUBSET_STAGES


def subset_stages(cfg: Config) -> Dict[str, object]:
    """The config's ``pixel_subset_stages`` (``{}`` when it has none)."""
    stages = cfg.get(SUBSET_STAGES)
    if stages is None:
        return {}
    if not isinstance(stages, dict):
        raise TypeError(f'{SUBSET_STAGES} must be a dict of stage specs '
                        f'(as stages), got {type(stages).__name__}')
    return dict(stages)


def with_subset_stages(cfg: Config) -> Config:
    """A copy of ``cfg`` whose ``stages`` have its ``pixel_subset_stages``
    merged over them (the module docstring says how; an input set to
    ``None`` is dropped, as a stage set to ``None`` is)."""
    merged = copy.deepcopy(cfg)
    merged.merge_from_dict({'stages': copy.deepcopy(subset_stages(cfg))})
    for spec in merged.stages.values():
        inputs = spec.get('inputs') if isinstance(spec, dict) else None
        if isinstance(inputs, dict):
            for name in [k for k, v in inputs.items() if v is None]:
                del inputs[name]
    return merged


def pixel_subset_size(cfg: Config, key: str) -> int:
    """How many images of ``cfg[key].dataset`` (a stage's training
    images, as the stage would build them) have a true mask training may
    read."""
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    dataset = DATASETS.build(copy.deepcopy(dict(cfg[key].dataset)))
    return len(pixel_labelled_infos(dataset))
