"""Adversarial erasing (Wei et al., CVPR 2017) as an MMEngine hook.

Training runs in *erasing steps* of ``epochs_per_step`` epochs.  At the end
of each step the hook mines, for every training image and each of its
labelled classes, the most discriminative region (normalised CAM above
``mining_threshold``), records it as that step's region and adds it to the
image's cumulative erasing mask.  :class:`EraseMinedRegions` in the training
pipeline then paints those pixels with the mean colour, so the next step's
classifier must find other evidence.  Training stops after ``max_steps`` or
when a step's loss no longer falls below ``stop_loss_ratio`` of its starting
value (the talk's rule: once the object is gone the loss stays high).

The step index, masks and per-iteration losses are saved in checkpoints, so
``--resume`` continues a step with the masks it had.  After each step the
regions are exported to ``<work_dir>/erasing/regions/<image>.npz`` (one bool
array ``(steps, labels, grid, grid)`` per image) for pseudo-label
generation, which fuses the first K steps.
"""
import bisect
import copy
import json
import os.path as osp
import time
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.dist import all_reduce, get_dist_info, is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import DATASETS, HOOKS
from torch.utils.data import DataLoader, Subset

from mmwsss.datasets.transforms.erasing import EraseMinedRegions
from mmwsss.engine.erasing_masks import ErasingMaskStore, to_grid
from mmwsss.utils.io import atomic_write, save_regions_file


DEFAULT_MINING_PIPELINE = (
    dict(type='LoadCheckedImageFromFile'),
    dict(type='EraseMinedRegions'),
    dict(type='PackWSSSInputs'),
)


def _base_dataset(dataset):
    while hasattr(dataset, 'dataset'):
        dataset = dataset.dataset
    return dataset


def _erasing_transforms(dataset) -> List[EraseMinedRegions]:
    return [
        t for t in _base_dataset(dataset).pipeline.transforms
        if isinstance(t, EraseMinedRegions)
    ]


@HOOKS.register_module()
class AdversarialErasingHook(Hook):
    """Drive a CAM classifier's training through adversarial erasing steps.

    Args:
        epochs_per_step: training epochs per erasing step (paper: ~5), or
            one number per step (the first step, on unerased images, often
            needs longer).
        max_steps: erasing steps at most; ``train_cfg.max_epochs`` must be
            the total number of epochs of all steps.
        mining_threshold: a pixel belongs to a class's discriminative region
            when its normalised CAM is at least this (0.8 keeps the top 20%
            of the heat map's range).
        stop_loss_ratio: stop when a step's final loss is at least this
            fraction of its starting loss (``None`` disables the rule).
        grid: masks are stored on a ``grid x grid`` cell grid per image.
        mining_pipeline: pipeline for mining, applied to the training
            dataset's config: no augmentation, but with
            ``EraseMinedRegions`` (a step's CAMs are taken on the images that
            step was trained on).
        mining_batch_size: images per mining batch.
        mining_scales / mining_flip: CAM inference settings for mining.
        export_dir: where regions and losses go (default
            ``<work_dir>/erasing``).
        num_vis_images: for this many labelled images, every step's CAMs
            are kept (``<export_dir>/step_cams``) for
            ``tools/visualize_erasing.py``.
    """
    priority = 'LOW'  # after the logger, before CheckpointHook (VERY_LOW)

    def __init__(self,
                 epochs_per_step: Union[int, Sequence[int]] = 5,
                 max_steps: int = 3,
                 mining_threshold: float = 0.8,
                 stop_loss_ratio: Optional[float] = 0.9,
                 grid: int = 64,
                 mining_pipeline: Sequence[dict] = DEFAULT_MINING_PIPELINE,
                 mining_batch_size: int = 8,
                 mining_scales: Sequence[float] = (1.0, ),
                 mining_flip: bool = True,
                 export_dir: Optional[str] = None,
                 num_vis_images: int = 4) -> None:
        if not 0 < mining_threshold < 1:
            raise ValueError('mining_threshold must lie in (0, 1)')
        if isinstance(epochs_per_step, int):
            epochs_per_step = [epochs_per_step] * max_steps
        if len(epochs_per_step) != max_steps:
            raise ValueError('epochs_per_step lists '
                             f'{len(epochs_per_step)} steps, max_steps is '
                             f'{max_steps}')
        self.step_ends = np.cumsum(epochs_per_step).tolist()
        self.max_steps = max_steps
        self.mining_threshold = mining_threshold
        self.stop_loss_ratio = stop_loss_ratio
        self.grid = grid
        self.mining_pipeline = [dict(t) for t in mining_pipeline]
        self.mining_batch_size = mining_batch_size
        self.mining_scales = tuple(mining_scales)
        self.mining_flip = mining_flip
        self.export_dir = export_dir
        self.num_vis_images = num_vis_images
        self.step_cams = {}  # image index -> list of per-step CAMs
        self.store: Optional[ErasingMaskStore] = None
        self.losses: List[List[float]] = []  # per step, per iteration
        self.steps_done = 0
        self.stopped_early = False

    # ------------------------------------------------------------ set-up
    def before_run(self, runner) -> None:
        loop = runner.train_loop
        if loop.max_epochs != self.step_ends[-1]:
            raise ValueError(
                f'AdversarialErasingHook: train_cfg.max_epochs must be the '
                f'epochs of all erasing steps, {self.step_ends[-1]}, got '
                f'{loop.max_epochs}')
        train_set = _base_dataset(loop.dataloader.dataset)
        labels = [train_set.get_data_info(i)['img_labels']
                  for i in range(len(train_set))]
        self.store = ErasingMaskStore(labels, self.grid, self.max_steps)
        self.mining_set = self._build_mining_set(runner, train_set)
        fill = self._fill_colour(runner)
        for dataset in (train_set, self.mining_set):
            for transform in _erasing_transforms(dataset):
                transform.store, transform.fill_bgr = self.store, fill
        if not _erasing_transforms(train_set):
            raise ValueError('AdversarialErasingHook: the training pipeline '
                             'has no EraseMinedRegions transform')
        self.export_dir = self.export_dir or osp.join(runner.work_dir,
                                                      'erasing')
        self.vis_indices = [i for i, l in enumerate(labels) if l
                            ][:self.num_vis_images]

    def _build_mining_set(self, runner, train_set):
        dataset_cfg = copy.deepcopy(runner.cfg.train_dataloader.dataset)
        dataset_cfg['pipeline'] = self.mining_pipeline
        dataset = DATASETS.build(dataset_cfg)
        if len(dataset) != len(train_set):
            raise ValueError('AdversarialErasingHook: the mining dataset must '
                             'list the training images in the same order')
        if not _erasing_transforms(dataset):
            raise ValueError('AdversarialErasingHook: mining_pipeline must '
                             'contain EraseMinedRegions (CAMs of a step are '
                             'mined on the erased images)')
        return dataset

    @staticmethod
    def _fill_colour(runner):
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        pre = model.data_preprocessor
        mean = pre.mean.flatten().tolist() if getattr(
            pre, '_enable_normalize', False) else [0.0, 0.0, 0.0]
        # images are BGR until the preprocessor swaps channels
        return tuple(mean[::-1]) if getattr(pre, 'channel_conversion',
                                            False) else tuple(mean)

    # ---------------------------------------------------------- training
    def current_step(self, runner) -> int:
        """0-based erasing step of the epoch being trained."""
        return bisect.bisect_right(self.step_ends, runner.epoch)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        step = self.current_step(runner)
        while len(self.losses) <= step:
            self.losses.append([])
        if outputs is not None and 'loss' in outputs:
            self.losses[step].append(float(outputs['loss'].detach()))

    def after_train_epoch(self, runner) -> None:
        if runner.epoch + 1 not in self.step_ends:
            return
        step = self.current_step(runner)
        start, end = self.step_loss_range(step)
        runner.logger.info(f'erasing step {step + 1}: loss {start:.4f} -> '
                           f'{end:.4f}')
        if step > 0 and self.stop_loss_ratio is not None and \
                end >= self.stop_loss_ratio * start:
            runner.logger.info(
                f'erasing step {step + 1}: loss stayed above '
                f'{self.stop_loss_ratio:.2f} x its start: the objects are '
                'erased, stopping (no regions mined from this step)')
            self.stopped_early = True
            runner.train_loop.stop_training = True
            self._export(runner)
            return
        started = time.perf_counter()
        self.mine(runner, step)
        self.steps_done = step + 1
        runner.logger.info(f'erasing step {step + 1}: mined in '
                           f'{time.perf_counter() - started:.1f} s; '
                           f'{100 * self.store.coverage():.1f}% of all '
                           'image cells erased')
        self._export(runner)

    def step_loss_range(self, step: int):
        """Mean loss over the first and the last 20% of a step's iters."""
        losses = self.losses[step] if step < len(self.losses) else []
        if not losses:
            return float('nan'), float('nan')
        n = max(1, len(losses) // 5)
        return float(np.mean(losses[:n])), float(np.mean(losses[-n:]))

    # ------------------------------------------------------------ mining
    @torch.no_grad()
    def mine(self, runner, step: int) -> None:
        """Mine every image's discriminative regions (sharded over ranks,
        gathered with an all-reduce since shards are disjoint)."""
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        was_training = model.training
        model.eval()
        rank, world = get_dist_info()
        mined = torch.zeros(self.store.regions.shape[1:], dtype=torch.int32)
        indices = list(range(rank, len(self.mining_set), world))
        loader = DataLoader(Subset(self.mining_set, indices),
                            batch_size=self.mining_batch_size,
                            collate_fn=pseudo_collate)
        for batch in loader:
            data = model.data_preprocessor(batch, False)
            cams = model.predict_cams(data['inputs'], data['data_samples'],
                                      self.mining_scales, self.mining_flip)
            for sample, cam in zip(data['data_samples'], cams):
                index = int(sample.metainfo['sample_idx'])
                start = self.store.offsets[index]
                regions = to_grid(cam, self.grid) >= self.mining_threshold
                if index in self.vis_indices:
                    self._keep_step_cam(index, step, cam)
                for row, region in enumerate(regions.cpu().numpy()):
                    mined[start + row] = torch.from_numpy(
                        np.packbits(region.ravel()).astype(np.int32))
        if world > 1:
            all_reduce(mined, op='sum')
        self._apply(step, mined.to(torch.uint8).numpy())
        model.train(was_training)

    def _keep_step_cam(self, index: int, step: int, cam) -> None:
        cams = self.step_cams.setdefault(index, [])
        del cams[step:]
        cams.append(cam.cpu().numpy().astype(np.float16))
        stem = osp.splitext(osp.basename(
            self.mining_set.get_data_info(index)['img_path']))[0]
        with atomic_write(osp.join(self.export_dir, 'step_cams',
                                   stem + '.npz')) as handle:
            np.savez_compressed(handle, cams=np.stack(cams))

    def _apply(self, step: int, packed: np.ndarray) -> None:
        from mmwsss.engine.erasing_masks import unpack
        for index in range(self.store.num_images):
            start, stop = self.store.offsets[index:index + 2]
            masks = np.stack([unpack(packed[r], self.grid)
                              for r in range(start, stop)]) \
                if stop > start else np.zeros((0, self.grid, self.grid), bool)
            self.store.add_regions(step, index, masks)

    # ------------------------------------------------------- persistence
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['adversarial_erasing'] = dict(
            masks=self.store.state_dict(), losses=self.losses,
            steps_done=self.steps_done, stopped_early=self.stopped_early)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('adversarial_erasing')
        if state is None or self.store is None:
            return
        self.store.load_state_dict(state['masks'],
                                   source=str(runner.cfg.get('resume_from')
                                              or 'checkpoint'))
        self.losses = [list(step) for step in state['losses']]
        self.steps_done = state['steps_done']
        self.stopped_early = state['stopped_early']

    def _export(self, runner) -> None:
        if not is_main_process():
            return
        train_set = _base_dataset(runner.train_loop.dataloader.dataset)
        for index in range(self.store.num_images):
            info = train_set.get_data_info(index)
            stem = osp.splitext(osp.basename(info['img_path']))[0]
            save_regions_file(
                osp.join(self.export_dir, 'regions', stem + '.npz'),
                self.store.image_regions(index, self.steps_done),
                info['img_labels'])
        summary = dict(
            steps_done=self.steps_done, stopped_early=self.stopped_early,
            mining_threshold=self.mining_threshold, grid=self.grid,
            step_losses=[dict(zip(('start', 'end'), self.step_loss_range(s)))
                         for s in range(len(self.losses))],
            iteration_losses=self.losses)
        with atomic_write(osp.join(self.export_dir, 'erasing.json'),
                          'w') as handle:
            json.dump(summary, handle)
