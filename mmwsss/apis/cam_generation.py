"""Writing one CAM file per image of a dataset: batched, resumable, sharded.

Resumable because every file is written atomically (``utils.io``) and files
already present are skipped; sharded because rank ``r`` of ``w`` handles
images ``r, r + w, r + 2w, ...``.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.dataset import pseudo_collate
from mmengine.dist import get_dist_info
from mmengine.utils import ProgressBar
from torch.utils.data import DataLoader, Subset

from mmwsss.utils.io import save_cam_file


def output_stem(info: dict) -> str:
    """Per-image output name: the image file name without extension."""
    return osp.splitext(osp.basename(info['img_path']))[0]


def pending_indices(dataset, out_dir: str, suffix: str,
                    rank: int = 0, world_size: int = 1) -> List[int]:
    """Indices of this rank's shard whose output file does not exist yet."""
    return [
        index for index in range(rank, len(dataset), world_size)
        if not osp.isfile(
            osp.join(out_dir,
                     output_stem(dataset.get_data_info(index)) + suffix))
    ]


class PendingShard:
    """This rank's images still without an output file: a batched loader
    over them, a progress bar on rank 0, and the tally tools print."""

    def __init__(self, dataset, out_dir: str, suffix: str, batch_size: int,
                 num_workers: int, show_progress: bool = True) -> None:
        rank, world_size = get_dist_info()
        os.makedirs(out_dir, exist_ok=True)
        self.todo = pending_indices(dataset, out_dir, suffix, rank,
                                    world_size)
        self.shard_size = len(range(rank, len(dataset), world_size))
        self.loader = DataLoader(
            Subset(dataset, self.todo), batch_size=batch_size,
            num_workers=num_workers, collate_fn=pseudo_collate,
            shuffle=False)
        self.progress = ProgressBar(len(self.todo)) if show_progress and \
            rank == 0 and self.todo else None

    def advance(self) -> None:
        if self.progress:
            self.progress.update()

    def tally(self) -> Dict[str, int]:
        return dict(total=self.shard_size,
                    done_before=self.shard_size - len(self.todo),
                    written=len(self.todo))


@torch.no_grad()
def make_cams(model,
              dataset,
              out_dir: str,
              batch_size: int = 1,
              num_workers: int = 0,
              scales: Optional[Sequence[float]] = None,
              flip: Optional[bool] = None,
              show_progress: bool = True) -> Dict[str, int]:
    """Write ``out_dir/<image stem>.npz`` for every image of ``dataset``.

    Args:
        model: a :class:`CAMClassifier` in eval mode.
        dataset: an mmwsss dataset whose pipeline loads the image and packs
            it with ``PackWSSSInputs`` (no augmentation).
        scales, flip: override ``model.test_cfg`` (cam_scales / cam_flip).

    Returns:
        ``dict(total=..., done_before=..., written=...)`` for this rank.
    """
    shard = PendingShard(dataset, out_dir, '.npz', batch_size, num_workers,
                         show_progress)
    device = next(model.parameters()).device
    for batch in shard.loader:
        data = model.data_preprocessor(batch, False)
        samples = data['data_samples']
        cams = model.predict_cams(
            data['inputs'].to(device), samples, scales=scales, flip=flip)
        for sample, cam in zip(samples, cams):
            name = output_stem(sample.metainfo)
            save_cam_file(
                osp.join(out_dir, name + '.npz'),
                cam.cpu().numpy(), sample.metainfo['img_labels'])
            shard.advance()
    return shard.tally()
