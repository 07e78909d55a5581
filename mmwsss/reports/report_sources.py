"""What the HTML report of a work dir reads, found from the stage markers
alone: the ladder of scored masks, the per-image folders worth showing and
where the training images are.

A report must work on any pipeline (AE-PSL, STC, HCP, own data) and on a
half-finished work dir, so nothing here names a stage: a rung is any
``ScoreLabelsStage`` with the stage it scored (read off its fingerprint's
``input labels``), a per-image column is any stage output named ``cams``,
``regions``, ``maps``, ``labels`` or ``masks``, and the order is the
stages' depth in the input graph (CAMs before the masks made from them,
PSL's masks after the masks PSL trained on).  Every output path goes
through :func:`~mmwsss.stages.record.marker_output`, so an edited marker
cannot make the report read outside its stage folder.
"""
import glob
import inspect
import json
import os
import os.path as osp
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from mmwsss.stages.record import MARKER, marker_output
from mmwsss.utils.paths import TRAINING_LOADERS

#: output names that hold one file per training image, and their kind
PER_IMAGE_OUTPUTS = dict(cams='cams', regions='regions', maps='maps',
                         labels='masks', masks='masks')
#: the AE-PSL ladder's order where the input graph ties
KNOWN_ORDER = ('cam_labels', 'ae_labels', 'pseudo_labels',
               'psl_online_labels', 'psl_plus_labels')
SCORE_TYPE = 'ScoreLabelsStage'
_DATASET_SERVING_KEYS = ('pipeline', 'pseudo_seg_map_path', 'serialize_data',
                         'lazy_init', 'indices', 'test_mode')


@dataclass
class Rung:
    """One scored folder of masks: the score stage, the stage it scored,
    whether it is the training images (``'train'``) or another split."""
    stage: str
    scored: str
    split: str
    scores: dict


@dataclass
class Column:
    """One per-image output shown beside the training images."""
    kind: str  # cams, regions, maps or masks
    stage: str
    folder: str
    extra: dict = field(default_factory=dict)


def read_markers(work_dir: str) -> Dict[str, dict]:
    """``{stage: marker}`` of the finished stages (folders moved aside by
    ``--redo-changed`` left out), in the order they finished."""
    markers = {}
    for name in sorted(os.listdir(work_dir)):
        path = osp.join(work_dir, name, MARKER)
        if '.stale-' in name or not osp.isfile(path):
            continue
        try:
            with open(path) as handle:
                markers[name] = json.load(handle)
        except ValueError as exc:
            raise ValueError(f'{path}: not a stage marker ({exc})') from exc
    return dict(sorted(markers.items(),
                       key=lambda item: item[1].get('finished', '~')))


def _inputs(marker: dict, names) -> List[str]:
    """The stages a marker's fingerprint names as its inputs."""
    found = []
    for key, value in (marker.get('fingerprint') or {}).items():
        stage = str(value).split(':', 1)[0]
        if key.startswith('input ') and stage in names:
            found.append(stage)
    return found


def stage_depths(markers: Dict[str, dict]) -> Dict[str, int]:
    """How many stages lie before each one in the input graph."""
    depths: Dict[str, int] = {}

    def depth(name: str, seen: Tuple[str, ...] = ()) -> int:
        if name not in depths:
            parents = [p for p in _inputs(markers[name], markers)
                       if p not in seen]
            depths[name] = 1 + max((depth(p, seen + (name, ))
                                    for p in parents), default=-1)
        return depths[name]

    for name in markers:
        depth(name)
    return depths


def ladder_order(names, markers: Dict[str, dict]) -> List[str]:
    """``names`` from the first made to the last: input depth, then the
    AE-PSL ladder's order, then finishing time."""
    depths = stage_depths(markers)
    finished = list(markers)

    def key(name):
        known = KNOWN_ORDER.index(name) if name in KNOWN_ORDER else 99
        return (depths.get(name, 99), known, finished.index(name)
                if name in finished else 999)

    return sorted(names, key=key)


def _data_keys(marker: dict) -> Dict[str, str]:
    """``{dataloader key: manifest hash}`` of a marker's fingerprint."""
    return {key[5:]: value for key, value in
            (marker.get('fingerprint') or {}).items()
            if key.startswith('data ')}


def ladder(work_dir: str, markers: Dict[str, dict]) -> List[Rung]:
    """The scored masks, training rungs first (in ladder order), then the
    other splits' (e.g. the final model on val)."""
    rungs = []
    for name, marker in markers.items():
        if marker.get('type') != SCORE_TYPE:
            continue
        path = marker_output(osp.join(work_dir, name), marker, 'scores')
        if not osp.isfile(path):
            continue
        with open(path) as handle:
            scores = json.load(handle)
        scored = _inputs(marker, markers)
        training = any(k in TRAINING_LOADERS for k in _data_keys(marker))
        rungs.append(Rung(stage=name, scored=scored[0] if scored else name,
                          split='train' if training else 'val',
                          scores=scores))
    order = ladder_order([r.scored for r in rungs], markers)
    return sorted(rungs, key=lambda r: (r.split != 'train',
                                        order.index(r.scored)))


def per_image_columns(work_dir: str,
                      markers: Dict[str, dict]) -> List[Column]:
    """The folders of one file per training image, in ladder order, kinds
    grouped: CAMs, erasing regions, grey maps, then masks.  Folders of
    another split (the test stage's predictions) are left out."""
    columns = []
    for name, marker in markers.items():
        if not any(k in TRAINING_LOADERS for k in _data_keys(marker)):
            continue
        for output in marker.get('outputs', {}):
            kind = PER_IMAGE_OUTPUTS.get(output)
            folder = marker_output(osp.join(work_dir, name), marker, output)
            if kind and osp.isdir(folder):
                columns.append(Column(kind, name, folder))
    order = ladder_order([c.stage for c in columns], markers)
    kinds = ('cams', 'regions', 'maps', 'masks')
    return sorted(columns, key=lambda c: (kinds.index(c.kind),
                                          order.index(c.stage)))


def _training_hash(markers: Dict[str, dict]) -> Optional[str]:
    """The manifest hash most stages give their training images."""
    counts = Counter(value for marker in markers.values()
                     for key, value in _data_keys(marker).items()
                     if key in TRAINING_LOADERS)
    return counts.most_common(1)[0][0] if counts else None


def _dataset_config(work_dir: str, markers: Dict[str, dict]):
    """The training dataset's config, from a config a training or test
    stage saved in its folder (resolved: placeholders filled, data_root
    absolute); ``None`` when no stage saved one."""
    from mmengine.config import Config
    wanted = _training_hash(markers)
    for name, marker in markers.items():
        if wanted not in _data_keys(marker).values():
            continue
        for path in sorted(glob.glob(osp.join(work_dir, name, '*.py'))):
            try:
                cfg = Config.fromfile(path)
            except (OSError, SyntaxError, ValueError, KeyError,
                    ImportError):
                continue  # not a config the report can read: try another
            # the CAM loader first: the training images without augmentation
            for key in reversed(TRAINING_LOADERS):
                dataset = (cfg.get(key) or {}).get('dataset')
                if dataset and dataset.get('data_root') is not None:
                    return dict(dataset), path
    return None, None


def build_training_dataset(work_dir: str, markers: Dict[str, dict],
                           data_root: Optional[str] = None):
    """``(dataset, note)``: the training images' dataset, built as the
    pipeline built it, or ``None`` and why not.  It is only read (images,
    tags, ground-truth paths); data are never generated."""
    from mmengine.registry import init_default_scope

    from mmwsss.registry import DATASETS
    cfg, source = _dataset_config(work_dir, markers)
    if cfg is None:
        return None, ('no stage of this work dir saved its config, so '
                      'where its training images are is unknown')
    cfg = {k: v for k, v in cfg.items() if k not in _DATASET_SERVING_KEYS}
    if data_root:
        cfg['data_root'] = data_root
    if not osp.isdir(str(cfg.get('data_root'))):
        return None, (f'the training images\' data_root '
                      f'{cfg.get("data_root")} (from {source}) is not here; '
                      'pass --data-root')
    init_default_scope('mmseg')
    dataset_cls = DATASETS.get(cfg['type'])
    if dataset_cls and 'generate' in inspect.signature(
            dataset_cls.__init__).parameters:
        cfg['generate'] = False
    try:
        dataset = DATASETS.build(dict(cfg, pipeline=[], serialize_data=False,
                                      lazy_init=False))
    except (OSError, ValueError, KeyError) as exc:
        return None, f'{source}: its training dataset does not load ({exc})'
    return dataset, f'training images from {cfg["data_root"]}'


def class_names(work_dir: str, markers: Dict[str, dict],
                dataset=None) -> List[str]:
    """The class names: the dataset's, else the stored dataset listing's
    (``.datasets/<hash>.json``), else a score stage's."""
    if dataset is not None:
        return list(dataset.metainfo['classes'])
    wanted = _training_hash(markers)
    path = osp.join(work_dir, '.datasets', f'{wanted}.json')
    if wanted and osp.isfile(path):
        with open(path) as handle:
            return list(json.load(handle).get('classes', []))
    for rung in ladder(work_dir, markers):
        return list(rung.scores.get('per_class', {}))
    return []
