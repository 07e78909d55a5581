"""What a stage's dataset *contains*, so that editing the data invalidates
the stages it touched.

A stage's fingerprint already covers its resolved config, which names the
data (root, split file, labels file) but not what the files hold: a changed
tag or a replaced photo would leave every finished stage "complete,
skipped" and the final model silently trained on the old data.  A dataset
*manifest* lists every image of a stage's dataset with its image-level
labels and its file's size and content hash, plus the class names; its
hash is part of the fingerprint.  Contents, not modification times: a
dataset copied to another disk (or CI's fresh checkout of it) keeps its
stages, while an edited photo does not.  Reading every file on every run
would cost a 10k-image dataset seconds, so, like git's index, the work dir
keeps each file's hash beside its size and modification time
(``.datasets/file_hashes.json``) and a file is read again only when those
changed.

Manifests are stored content-addressed in ``WORK_DIR/.datasets/<hash>.json``
so that when the hash changes, the old manifest is still there to say *what*
changed (which images' tags, which files, which images came or went).
Ground-truth masks are never opened: labels come from the dataset exactly
as training reads them.

Every stage that reads training images must read the pipeline's
(:class:`PipelineDataset`): the first such stage fixes the dataset (type,
root, split, image folder) and a later stage whose dataset differs stops
the run with a message naming both, unless its spec says
``other_dataset=True``.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmwsss.registry import DATASETS
from mmwsss.utils.io import atomic_write
from mmwsss.utils.paths import TRAINING_LOADERS
from .graph import StageError

MANIFEST_DIR = '.datasets'
FILE_HASHES = 'file_hashes.json'
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


class FileHashes:
    """Content hashes of files, re-read only when a file's size or
    modification time differs from when it was last hashed."""

    def __init__(self, path: Optional[str] = None) -> None:
        self.path = path
        self._known: Dict[str, list] = {}
        self._changed = False
        if path and osp.isfile(path):
            try:
                with open(path) as handle:
                    self._known = json.load(handle)
            except (OSError, ValueError):  # a lost cache costs one re-read
                self._known = {}

    def stamp(self, path: str) -> list:
        """``[bytes, sha1]`` of a file, ``[None, None]`` when missing."""
        if not osp.isfile(path):
            return [None, None]
        path = osp.abspath(path)
        stat = os.stat(path)
        known = self._known.get(path)
        if known and known[:2] == [stat.st_size, stat.st_mtime_ns]:
            return [stat.st_size, known[2]]
        digest = hashlib.sha1()
        with open(path, 'rb') as handle:
            for block in iter(lambda: handle.read(1 << 20), b''):
                digest.update(block)
        self._known[path] = [stat.st_size, stat.st_mtime_ns,
                             digest.hexdigest()]
        self._changed = True
        return [stat.st_size, digest.hexdigest()]

    def save(self) -> None:
        if self.path and self._changed:
            with atomic_write(self.path, 'w') as handle:
                json.dump(self._known, handle)
            self._changed = False


def dataset_manifest(dataset_cfg: dict, default_scope: str = 'mmseg',
                     hashes: Optional[FileHashes] = None) -> dict:
    """``{'classes': [...], 'images': {path: [labels, bytes, sha1]}}`` of
    a dataset config (image paths relative to its ``data_root``); an image
    of the pixel-labelled subset also has its true mask's bytes and
    hash."""
    hashes = hashes or FileHashes()
    init_default_scope(default_scope)
    cfg = {k: v for k, v in dataset_cfg.items() if k not in _SERVING_KEYS}
    dataset = DATASETS.build(dict(cfg, pipeline=[], serialize_data=False,
                                  lazy_init=False))
    root = osp.abspath(cfg.get('data_root') or '')
    images = {}
    for info in _infos(dataset):
        entry = [[int(label) for label in info.get('img_labels', [])]]
        entry += hashes.stamp(info['img_path'])
        if info.get('pixel_labelled'):  # its true mask trains it
            entry += hashes.stamp(info['true_seg_map_path'])
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
    if any(isinstance(entry[2], int) for entry in old['images'].values()
           if len(entry) > 2):
        return ('the stage was recorded by an older mmwsss, which kept '
                'file times instead of contents, so whether its data '
                'changed cannot be told')
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
        self.file_hashes = FileHashes(
            osp.join(work_dir, MANIFEST_DIR, FILE_HASHES))

    def fingerprint(self, dataset_cfg: dict, default_scope: str) -> str:
        key = manifest_key(dataset_cfg)
        if key not in self._hashes:
            manifest = dataset_manifest(dataset_cfg, default_scope,
                                        self.file_hashes)
            self.file_hashes.save()
            digest = store_manifest(self.work_dir, manifest)
            self._hashes[key], self.manifests[digest] = digest, manifest
        return self._hashes[key]

    def explain(self, old_digest: str, new_digest: str) -> str:
        return describe_changes(load_manifest(self.work_dir, old_digest),
                                self.manifests.get(new_digest) or
                                load_manifest(self.work_dir, new_digest))


def dataset_identity(cfg: Config, key: str) -> Optional[dict]:
    """Which images a dataset config lists: type, root, split, folder."""
    dataset = (cfg.get(key) or {}).get('dataset')
    if not isinstance(dataset, dict):
        return None
    root = dataset.get('data_root') or ''
    prefix = dataset.get('data_prefix') or {}
    return dict(type=str(dataset.get('type')),
                data_root=osp.normpath(root) if root else '',
                split=dataset.get('ann_file') or dataset.get('labels_file'),
                images=prefix.get('img_path'))


class PipelineDataset:
    """The training images of a pipeline, fixed by the first stage that
    reads them (module docstring): a stage trained on other images than
    the masks it learns from were made of would be silently wrong."""

    def __init__(self) -> None:
        self.first: Optional[Tuple[str, dict]] = None

    def check(self, name: str, spec: dict, key: Optional[str],
              cfg: Config) -> None:
        """Stop when stage ``name`` (reading dataloader ``key`` of its
        resolved ``cfg``) reads other training images than the first."""
        if key not in TRAINING_LOADERS:
            return  # evaluation on another split is the point of it
        identity = dataset_identity(cfg, key)
        if identity is None or spec.get('other_dataset'):
            return
        if self.first is None:
            self.first = (name, identity)
        elif identity != self.first[1]:
            first, expected = self.first
            raise StageError(
                f'stage {name!r} reads another dataset than the pipeline: '
                f'{key}.dataset is {identity}, but stage {first!r} read '
                f'{expected}; point both at the same data (e.g. one '
                'common_cfg_options entry), or set other_dataset=True in '
                f'stage {name!r} if that is on purpose')
