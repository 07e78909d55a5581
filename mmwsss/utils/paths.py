"""Relative paths in configs, resolved the same way from any directory.

The shipped configs name data relative to the project root
(``../shared/data/msrc17``, ``data/VOCdevkit/VOC2012``), and a user's config
may do the same for weights (``mobilenetv2_tonylins://pretrained/x.pt``),
which only works when a tool runs there.  :func:`resolve_config_paths`
makes every such path absolute: a path that exists relative to the current
directory is kept (what a user typed on the command line means what it
says), otherwise it is taken relative to the project root of the config
(the folder holding its ``configs/`` folder), else relative to the config's
own folder.  A path
found nowhere is made absolute against the project root, so the error that
follows names the file that was looked for.  Weights named by the weights
table (``mmwsss-weights://NAME``, also behind a converter scheme, or a bare
NAME as a saliency ``model_path``) are no paths and stay as they are:
:mod:`mmwsss.utils.weights` finds them.
"""
import os.path as osp
from typing import Iterator, List, Optional, Tuple

from mmengine.config import Config

from mmwsss.utils.weights import names_a_weight

#: every dataloader of a config (dataset roots resolved, class counts
#: checked), the one list of their names
DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
               'cam_dataloader')
#: the loaders of the training images: the training one (augmented) and the
#: CAM one (the same images, as they are); every stage of a pipeline must
#: agree on them, and a class count left to the data is read from them
#: first
TRAINING_LOADERS = ('train_dataloader', 'cam_dataloader')
#: the loaders whose images get object proposals: the training images as
#: the CAM loader reads them and the validation images the classifier is
#: scored on (a proposal classifier needs proposals for both)
PROPOSAL_LOADERS = ('cam_dataloader', 'val_dataloader')
#: config keys whose value may name a weight of the table instead of a path
_WEIGHT_KEYS = ('checkpoint', 'model_path')


def project_root(config_path: Optional[str]) -> Optional[str]:
    """The folder holding the outermost ``configs`` folder above
    ``config_path`` (a checkout of mmwsss or a user's own project)."""
    if not config_path:
        return None
    folder = osp.dirname(osp.abspath(config_path))
    root = None
    while True:
        if osp.basename(folder) == 'configs':
            root = osp.dirname(folder)
        parent = osp.dirname(folder)
        if parent == folder:
            return root
        folder = parent


def candidates(path: str, config_path: Optional[str]) -> List[str]:
    """Where a relative ``path`` may point, in the order tried."""
    if osp.isabs(path):
        return [path]
    found = [osp.abspath(path)]
    root = project_root(config_path)
    if root:
        found.append(osp.join(root, path))
    if config_path:
        found.append(osp.join(osp.dirname(osp.abspath(config_path)), path))
    return found


def resolve_path(path: str, config_path: Optional[str] = None) -> str:
    """Absolute ``path``: the first candidate that exists, else the one
    relative to the project root (or the current directory)."""
    options = candidates(path, config_path)
    for option in options:
        if osp.exists(option):
            return osp.normpath(option)
    return osp.normpath(options[1] if len(options) > 1 else options[0])


def _path_fields(cfg: Config) -> Iterator[Tuple[dict, str]]:
    """(container, key) of every path a config may give relatively."""
    for loader in DATALOADERS:
        yield from _data_roots((cfg.get(loader) or {}).get('dataset'))
    if isinstance(cfg.get('saliency'), dict):
        for key in ('model_path', 'folder'):
            if cfg.saliency.get(key):
                yield cfg.saliency, key
    if cfg.get('load_from'):
        yield cfg, 'load_from'
    yield from _checkpoints(cfg.get('model'))


def _data_roots(dataset) -> Iterator[Tuple[dict, str]]:
    """``data_root`` of a dataset config, and of the datasets inside
    MMEngine's wrappers (``ConcatDataset``'s ``datasets``,
    ``RepeatDataset``'s ``dataset``)."""
    if not isinstance(dataset, dict):
        return
    if dataset.get('data_root'):
        yield dataset, 'data_root'
    for inner in dataset.get('datasets') or []:
        yield from _data_roots(inner)
    yield from _data_roots(dataset.get('dataset'))


def _checkpoints(node) -> Iterator[Tuple[dict, str]]:
    if isinstance(node, dict):
        if node.get('type') in ('Pretrained', 'TorchvisionBackbone') and \
                isinstance(node.get('checkpoint'), str):
            yield node, 'checkpoint'
        for value in node.values():
            yield from _checkpoints(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _checkpoints(value)


def resolve_config_paths(cfg: Config, config_path: Optional[str] = None
                         ) -> None:
    """Make the data roots, weights and model files of ``cfg`` absolute
    (see the module docstring); ``scheme://path`` checkpoints keep their
    scheme, URLs and weight names stay as they are."""
    config_path = config_path or cfg.filename
    for container, key in _path_fields(cfg):
        value = container[key]
        if key in _WEIGHT_KEYS and names_a_weight(value):
            continue
        scheme, sep, rest = value.rpartition('://')
        if sep and (scheme.startswith(('http', 'https', 'torchvision',
                                       'open-mmlab', 's3'))
                    or not rest):
            continue
        container[key] = f'{scheme}{sep}{resolve_path(rest, config_path)}'


def is_inside(path: str, folder: str) -> bool:
    """Whether ``path`` lies inside ``folder`` once ``..`` and symbolic
    links are resolved (a file named by a work dir's own records must stay
    in that work dir)."""
    path, folder = osp.realpath(path), osp.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(osp.sep) + osp.sep)
