"""What a stage's dataset *contains*, so that editing the data invalidates
the stages it touched.

A stage's fingerprint already covers its resolved config, which names the
data (root, split file, labels file) but not what the files hold: a changed
tag or a replaced photo would leave every finished stage "complete,
skipped" and the final model silently trained on the old data.  A dataset
*manifest* lists every image of a stage's dataset with its image-level
labels and its file's size and modification time (a stat, not a read, so a
10k-image dataset costs a directory walk) plus the class names; its hash is
part of the fingerprint.

Manifests are stored content-addressed in ``WORK_DIR/.datasets/<hash>.json``
so that when the hash changes, the old manifest is still there to say *what*
changed (which images' tags, which files, which images came or went).
Ground-truth masks are never opened: labels come from the dataset exactly
as training reads them.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Optional

from mmengine.registry import init_default_scope

from mmwsss.registry import DATASETS
from mmwsss.utils.io import atomic_write

MANIFEST_DIR = '.datasets'
#: dataset arguments that say how samples are served, not which they are;
#: pseudo masks are a stage input, fingerprinted through their producer
_SERVING_KEYS = ('pipeline', 'pseudo_seg_map_path', 'serialize_data',
                 'lazy_init', 'indices', 'test_mode')


def manifest_key(dataset_cfg: dict) -> str:
    """Which dataset a config lists, as a cache key: the config without its
    serving arguments."""
    reduced = {k: v for k, v in dataset_cfg.items()
               if k not in _SERVING_KEYS}
    return json.dumps(reduced, sort_keys=True, default=str)


def _infos(dataset) -> List[dict]:
    if hasattr(dataset, 'datasets'):  # ConcatDataset
        return [i for part in dataset.datasets for i in _infos(part)]
    if hasattr(dataset, 'dataset') and not hasattr(dataset, 'data_list'):
        return _infos(dataset.dataset)  # RepeatDataset, ClassBalanced...
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def _relative(path: str, root: str) -> str:
    path = osp.abspath(path)
    return osp.relpath(path, root) if root and path.startswith(
        root + os.sep) else path


def _stat(path: str) -> List[Optional[int]]:
    if not osp.isfile(path):
        return [None, None]
    stat = os.stat(path)
    return [stat.st_size, stat.st_mtime_ns]


def dataset_manifest(dataset_cfg: dict, default_scope: str = 'mmseg') -> dict:
    """``{'classes': [...], 'images': {path: [labels, bytes, mtime_ns]}}``
    of a dataset config (image paths relative to its ``data_root``); an
    image of the pixel-labelled subset also has its true mask's bytes and
    time."""
    init_default_scope(default_scope)
    cfg = {k: v for k, v in dataset_cfg.items() if k not in _SERVING_KEYS}
    dataset = DATASETS.build(dict(cfg, pipeline=[], serialize_data=False,
                                  lazy_init=False))
    root = osp.abspath(cfg.get('data_root') or '')
    images = {}
    for info in _infos(dataset):
        entry = [[int(label) for label in info.get('img_labels', [])]]
        entry += _stat(info['img_path'])
        if info.get('pixel_labelled'):  # its true mask trains it
            entry += _stat(info['true_seg_map_path'])
        images[_relative(info['img_path'], root)] = entry
    return dict(classes=list(dataset.metainfo.get('classes', [])),
                images=images)


def manifest_hash(manifest: dict) -> str:
    text = json.dumps(manifest, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def store_manifest(work_dir: str, manifest: dict) -> str:
    """Save ``manifest`` under its hash (once); returns the hash."""
    digest = manifest_hash(manifest)
    path = osp.join(work_dir, MANIFEST_DIR, f'{digest}.json')
    if not osp.isfile(path):
        with atomic_write(path, 'w') as handle:
            json.dump(manifest, handle)
    return digest


def load_manifest(work_dir: str, digest: str) -> Optional[dict]:
    path = osp.join(work_dir, MANIFEST_DIR, f'{digest}.json')
    if not osp.isfile(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def _names(paths: List[str], limit: int = 5) -> str:
    shown = ', '.join(sorted(paths)[:limit])
    return shown + (f' and {len(paths) - limit} more'
                    if len(paths) > limit else '')


def describe_changes(old: Optional[dict], new: dict) -> str:
    """What differs between two manifests, in words (``old`` may be lost:
    then only that the data changed can be said)."""
    if old is None:
        return 'the dataset changed (its earlier listing is not kept)'
    parts = []
    if old['classes'] != new['classes']:
        parts.append(f'classes {old["classes"]} -> {new["classes"]}')
    before, after = old['images'], new['images']
    added = [p for p in after if p not in before]
    removed = [p for p in before if p not in after]
    common = [p for p in after if p in before]
    tags = [p for p in common if before[p][0] != after[p][0]]
    files = [p for p in common if before[p][1:3] != after[p][1:3]]
    masks = [p for p in common if before[p][3:] != after[p][3:]]
    for what, paths in (('images added', added), ('images removed', removed),
                        ('images with other tags', tags),
                        ('image files replaced or edited', files),
                        ('pixel masks added, removed or edited', masks)):
        if paths:
            parts.append(f'{len(paths)} {what} ({_names(paths)})')
    return '; '.join(parts) or 'the dataset listing changed'


class DatasetRecords:
    """Manifests of a run's datasets, each built once per run and stored in
    the work dir."""

    def __init__(self, work_dir: str) -> None:
        self.work_dir = work_dir
        self._hashes: Dict[str, str] = {}
        self.manifests: Dict[str, dict] = {}

    def fingerprint(self, dataset_cfg: dict, default_scope: str) -> str:
        key = manifest_key(dataset_cfg)
        if key not in self._hashes:
            manifest = dataset_manifest(dataset_cfg, default_scope)
            digest = store_manifest(self.work_dir, manifest)
            self._hashes[key], self.manifests[digest] = digest, manifest
        return self._hashes[key]

    def explain(self, old_digest: str, new_digest: str) -> str:
        return describe_changes(load_manifest(self.work_dir, old_digest),
                                self.manifests.get(new_digest) or
                                load_manifest(self.work_dir, new_digest))
