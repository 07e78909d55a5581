"""Step (HCP): object proposals of every image, cached one file per image.

``<out_dir>/<image stem>.npz`` holds the image's :class:`Proposals` and
the settings that made them.  Generation is per image like every step
(sharded over ranks, resumable, progress bar, worker processes for the
CPU-bound grouping); reading a file made with other settings is refused,
naming the file, since the boxes would silently not be the ones the
config asks for.
"""
import hashlib
import json
from typing import Dict, Optional, Tuple

import numpy as np

from mmwsss.utils.io import atomic_write, image_stem, read_image
from mmwsss.utils.per_image import ImageShard, worker_pool
from mmwsss.utils.proposal_arrays import read_proposal_arrays
from .selective_search import Proposals, selective_search

#: selective search settings used unless a config says otherwise
DEFAULT_PROPOSAL_SETTINGS = dict(
    colour_spaces=('hsv', 'lab'), scales=(100, 300), sigma=0.8,
    min_size=0.002, max_count=200)


def proposal_settings(settings: Optional[dict] = None) -> dict:
    """The full settings (defaults filled in), JSON-normalised."""
    merged = dict(DEFAULT_PROPOSAL_SETTINGS, **(settings or {}))
    unknown = set(merged) - set(DEFAULT_PROPOSAL_SETTINGS)
    if unknown:
        raise ValueError(f'unknown proposal settings {sorted(unknown)}; '
                         f'known: {sorted(DEFAULT_PROPOSAL_SETTINGS)}')
    return json.loads(json.dumps(merged))


def image_seed(stem: str) -> int:
    """A seed from the image id: the same image gets the same proposals
    on every rank and in every run."""
    return int(hashlib.sha1(stem.encode()).hexdigest()[:8], 16)


def save_proposals(path: str, proposals: Proposals, settings: dict) -> None:
    """Write one image's proposals and the settings that made them
    (read back by :func:`load_proposals`, and the boxes alone by
    :func:`mmwsss.utils.proposal_arrays.load_proposal_boxes`)."""
    with atomic_write(path) as handle:
        np.savez_compressed(
            handle, boxes=proposals.boxes, grouping=proposals.grouping,
            offsets=proposals.offsets, members=proposals.members,
            segmentations=proposals.segmentations,
            fallback=np.array(proposals.fallback),
            settings=np.array(json.dumps(settings, sort_keys=True)))


def load_proposals(path: str, settings: Optional[dict] = None) -> Proposals:
    """Read a proposal file; with ``settings``, refuse one made with
    others (the error names the file and the differing settings)."""
    content = read_proposal_arrays(path)
    if settings is not None:
        saved = json.loads(str(content.get('settings', '{}')))
        wanted = proposal_settings(settings)
        if saved != wanted:
            differ = sorted(k for k in set(saved) | set(wanted)
                            if saved.get(k) != wanted.get(k))
            raise ValueError(
                f'{path}: proposals made with other settings ({differ}: '
                f'{ {k: saved.get(k) for k in differ} } in the file, '
                f'{ {k: wanted.get(k) for k in differ} } wanted); delete '
                'the folder or point the stage at a new one')
    content.pop('settings', None)
    content['fallback'] = bool(content.get('fallback', False))
    return Proposals(**content)


def _propose(img_path: str, out_path: str, settings: dict, seed: int
             ) -> Tuple[int, bool]:
    """Worker: propose for one image and write its file; ``(count,
    fallback)``."""
    image = read_image(img_path, 'rgb')
    proposals = selective_search(image, seed=seed, **settings)
    save_proposals(out_path, proposals, settings)
    return len(proposals), proposals.fallback


def make_proposals(dataset, out_dir: str, settings: Optional[dict] = None,
                   num_workers: int = 1,
                   show_progress: bool = True) -> Dict[str, int]:
    """Write ``out_dir/<image stem>.npz`` for this rank's images.

    Returns the shard's tally; ``whole_image`` counts images where the
    search found nothing and the whole frame is the only proposal.
    """
    settings = proposal_settings(settings)
    shard = ImageShard(dataset, out_dir, '.npz', show_progress=show_progress)
    tasks = ((info['img_path'], shard.out_path(info), settings,
              image_seed(image_stem(info)))
             for infos in shard.info_batches() for info in infos)
    with worker_pool(num_workers) as parallel:
        for count, fallback in parallel.imap(_propose, tasks):
            shard.count('whole_image', int(fallback))
            shard.count('proposals', count)
            shard.advance()
    return shard.tally()
