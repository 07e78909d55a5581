"""Adversarial erasing (Wei et al., CVPR 2017) as an MMEngine training loop.

The classifier trains in *erasing steps* of ``epochs_per_step`` epochs.  At
the end of each step the loop mines, for every training image and each of
its labelled classes, the most discriminative region (normalised CAM above
``mining_threshold``), records it as that step's region and adds it to the
image's cumulative erasing mask; :class:`EraseMinedRegions` in the training
pipeline paints those pixels with the mean colour, so the next step's
classifier must find other evidence.  Training stops after the last step or
when a step's loss no longer falls below ``stop_loss_ratio`` of its start,
or of the untrained classifier's (the talk's rule: once the object is gone
the loss stays high); the classifier then goes back to the weights of the
last step that converged, so its CAMs come from a model that classifies.

The loop owns everything erasing needs, so a config states it once::

    train_cfg = dict(type='AdversarialErasingLoop',
                     epochs_per_step=[6, 3, 3], mining_threshold=0.6)

* the schedule: ``max_epochs`` is the sum of the steps, and the learning
  rate restarts (cosine) at every step, since each step must learn new
  evidence from the erased images (``restart_lr=False`` keeps the config's
  ``param_scheduler`` instead);
* the masks (:class:`mmwsss.datasets.ErasingMaskStore`), attached to the
  training pipeline's ``EraseMinedRegions`` and to a mining view of the
  same dataset (same images and order, no augmentation);
* the state: step losses, masks, mined steps and the per-step CAMs kept
  for the erasing pictures all go into checkpoints, so ``--resume``
  continues exactly;
* the export: ``<work_dir>/erasing/regions/<image>.npz`` (one bool array
  ``(steps, labels, grid, grid)`` per image, fused by the pseudo-mask
  step), ``erasing.json`` (losses) and ``step_cams/`` (pictures).
"""
import bisect
import copy
import json
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.dist import all_reduce, get_dist_info, is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop

from mmwsss.datasets.erasing_masks import ErasingMaskStore
from mmwsss.datasets.transforms.erasing import EraseMinedRegions
from mmwsss.registry import LOOPS
from mmwsss.utils.io import atomic_write, image_stem
from mmwsss.utils.per_image import ImageShard
from mmwsss.utils.regions import save_regions_file, to_grid, unpack

#: the folder (inside the work dir) the loop exports its regions, step CAMs
#: and losses to, unless told otherwise
ERASING_EXPORT = 'erasing'

DEFAULT_MINING_PIPELINE = (
    dict(type='LoadCheckedImageFromFile'),
    dict(type='EraseMinedRegions'),
    dict(type='PackWSSSInputs'),
)
STATE_KEY = 'adversarial_erasing'
#: the last mined step's classifier weights, inside the export folder
CONVERGED_WEIGHTS = 'converged_weights.pth'


def _base_dataset(dataset):
    while hasattr(dataset, 'dataset'):
        dataset = dataset.dataset
    return dataset


def _erasing_transforms(dataset) -> List[EraseMinedRegions]:
    return [t for t in dataset.pipeline.transforms
            if isinstance(t, EraseMinedRegions)]


class _ErasingStateHook(Hook):
    """The loop's link to the runner's checkpoints and iterations."""
    priority = 'LOW'

    def __init__(self, loop: 'AdversarialErasingLoop') -> None:
        self.loop = loop

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if outputs is not None and 'loss' in outputs:
            self.loop.record_loss(float(outputs['loss'].detach()))

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[STATE_KEY] = self.loop.state_dict()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if STATE_KEY in checkpoint:
            self.loop.load_state_dict(checkpoint[STATE_KEY],
                                      source=str(runner.cfg.get('load_from')))


@LOOPS.register_module()
class AdversarialErasingLoop(EpochBasedTrainLoop):
    """Train a CAM classifier through adversarial erasing steps.

    Args:
        epochs_per_step: epochs of each erasing step (paper: ~5), one
            number per step; the first step, on unerased images, often
            needs longer.  Its length is the number of steps.
        mining_threshold: a pixel belongs to a class's discriminative region
            when its normalised CAM is at least this (0.8 keeps the top 20%
            of the heat map's range).
        stop_loss_ratio: stop when a step's final loss is at least this
            fraction of its starting loss or of the first step's (the
            untrained classifier's); the weights go back to the last
            mined step's (``None`` disables the rule).
        restart_lr: restart a cosine learning-rate schedule at every step
            (the config then has no ``param_scheduler``).
        grid: masks are stored on a ``grid x grid`` cell grid per image.
        mining_pipeline: pipeline of the mining view of the training set:
            no augmentation, with ``EraseMinedRegions`` (a step's CAMs are
            taken on the images that step was trained on).
        mining_batch_size: images per mining batch.
        mining_scales / mining_flip: CAM inference settings for mining.
            No flip by default: it doubles the mining pass for regions a
            hard threshold on a coarse grid makes nearly the same.
        export_dir: where regions and losses go (default
            ``<work_dir>/erasing``).
        num_vis_images: for this many labelled images, every step's CAMs
            are kept (``<export_dir>/step_cams``) for
            ``tools/visualize_erasing.py``.
        val_interval: validation interval in epochs (default: after each
            step's last epoch is not implied; MMEngine's meaning).
    """

    def __init__(self,
                 runner,
                 dataloader,
                 epochs_per_step: Union[int, Sequence[int]],
                 mining_threshold: float = 0.8,
                 stop_loss_ratio: Optional[float] = 0.9,
                 restart_lr: bool = True,
                 grid: int = 64,
                 mining_pipeline: Sequence[dict] = DEFAULT_MINING_PIPELINE,
                 mining_batch_size: int = 8,
                 mining_scales: Sequence[float] = (1.0, ),
                 mining_flip: bool = False,
                 export_dir: Optional[str] = None,
                 num_vis_images: int = 4,
                 val_begin: int = 1,
                 val_interval: int = 1) -> None:
        if isinstance(epochs_per_step, int):
            epochs_per_step = [epochs_per_step]
        if not epochs_per_step or min(epochs_per_step) < 1:
            raise ValueError('epochs_per_step lists one positive number of '
                             f'epochs per erasing step, got {epochs_per_step}')
        if not 0 < mining_threshold < 1:
            raise ValueError('mining_threshold must lie in (0, 1)')
        self.step_ends = np.cumsum(epochs_per_step).tolist()
        super().__init__(runner, dataloader, max_epochs=self.step_ends[-1],
                         val_begin=val_begin, val_interval=val_interval)
        self.epochs_per_step = list(epochs_per_step)
        self.mining_threshold = mining_threshold
        self.stop_loss_ratio = stop_loss_ratio
        self.grid = grid
        self.mining_batch_size = mining_batch_size
        self.mining_scales = tuple(mining_scales)
        self.mining_flip = mining_flip
        self.export_dir = export_dir or osp.join(runner.work_dir,
                                                 ERASING_EXPORT)

        train_set = _base_dataset(self.dataloader.dataset)
        if not _erasing_transforms(train_set):
            raise ValueError('AdversarialErasingLoop: the training pipeline '
                             'has no EraseMinedRegions transform (put it '
                             'right after image loading)')
        self.train_set = train_set
        self.mining_set = self._mining_view(train_set, mining_pipeline)
        labels = [train_set.get_data_info(i)['img_labels']
                  for i in range(len(train_set))]
        self.store = ErasingMaskStore(labels, grid, self.num_steps)
        self.vis_indices = [i for i, l in enumerate(labels)
                            if l][:num_vis_images]
        self.losses: List[List[float]] = [[] for _ in self.epochs_per_step]
        self.steps_mined = 0
        self.stopped_early = False
        # the last mined step's weights (read back from the export folder
        # when a resumed run never held them)
        self._converged_state: Optional[Dict[str, torch.Tensor]] = None
        self.step_cams: Dict[int, List[np.ndarray]] = {}
        if restart_lr:
            self._restart_lr_every_step(runner)
        runner.register_hook(_ErasingStateHook(self))

    @property
    def num_steps(self) -> int:
        return len(self.epochs_per_step)

    # ------------------------------------------------------------ set-up
    @staticmethod
    def _mining_view(train_set, pipeline: Sequence[dict]):
        """The training images in the same order, through ``pipeline``."""
        view = copy.copy(train_set)
        view.pipeline = Compose([dict(t) for t in pipeline])
        if not _erasing_transforms(view):
            raise ValueError('AdversarialErasingLoop: mining_pipeline must '
                             'contain EraseMinedRegions (CAMs of a step are '
                             'mined on the images it was trained on)')
        return view

    def _restart_lr_every_step(self, runner) -> None:
        if runner.param_schedulers is not None:
            raise ValueError(
                'AdversarialErasingLoop restarts the learning rate at every '
                'erasing step itself: remove param_scheduler from the '
                'config, or set train_cfg.restart_lr=False to use it')
        iters = len(self.dataloader)
        runner.param_schedulers = [dict(
            type='CosineRestartLR',
            periods=[epochs * iters for epochs in self.epochs_per_step],
            restart_weights=[1.0] * self.num_steps, eta_min=0.0,
            by_epoch=False)]

    def _attach_masks(self) -> None:
        model = self._model()
        pre = model.data_preprocessor
        mean = pre.mean.flatten().tolist() if getattr(
            pre, '_enable_normalize', False) else [0.0, 0.0, 0.0]
        # images are BGR until the preprocessor swaps channels
        fill = tuple(mean[::-1]) if getattr(pre, 'channel_conversion',
                                            False) else tuple(mean)
        for dataset in (self.train_set, self.mining_set):
            for transform in _erasing_transforms(dataset):
                transform.store, transform.fill_bgr = self.store, fill

    def _model(self):
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    # ----------------------------------------------------------- training
    def run(self) -> torch.nn.Module:
        self._attach_masks()
        if self.steps_mined < self.completed_steps():
            # resumed from the checkpoint of a step's last epoch, saved
            # before that step was mined: mine it now (same weights, same
            # regions as the uninterrupted run)
            self._end_step(self.completed_steps() - 1)
        return super().run()

    def run_epoch(self) -> None:
        """MMEngine's epoch, with the step's end (stopping rule, mining,
        export) before ``after_train_epoch``, so the checkpoint saved there
        holds the new masks."""
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        for idx, data_batch in enumerate(self.dataloader):
            self.run_iter(idx, data_batch)
        if self._epoch + 1 in self.step_ends:
            self._end_step(self.step_ends.index(self._epoch + 1))
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1

    def current_step(self) -> int:
        """0-based erasing step of the epoch being trained."""
        return min(bisect.bisect_right(self.step_ends, self._epoch),
                   self.num_steps - 1)

    def completed_steps(self) -> int:
        return bisect.bisect_right(self.step_ends, self._epoch)

    def record_loss(self, loss: float) -> None:
        self.losses[self.current_step()].append(loss)

    def step_loss_range(self, step: int):
        """Mean loss over the first and the last 20% of a step's iters."""
        losses = self.losses[step]
        if not losses:
            return float('nan'), float('nan')
        n = max(1, len(losses) // 5)
        return float(np.mean(losses[:n])), float(np.mean(losses[-n:]))

    def _end_step(self, step: int) -> None:
        logger = self.runner.logger
        start, end = self.step_loss_range(step)
        logger.info(f'erasing step {step + 1}: loss {start:.4f} -> '
                    f'{end:.4f}')
        if not self.step_converged(step):
            logger.info(
                f'erasing step {step + 1}: loss stayed above '
                f'{self.stop_loss_ratio:.2f} x its start or x the untrained '
                'classifier\'s: the objects are erased, stopping (no '
                'regions mined from this step; the classifier goes back to '
                f'its weights at the end of step {step})')
            self.stopped_early = True
            self.stop_training = True
            self._restore_converged_weights()
        else:
            began = time.perf_counter()
            self.mine(step)
            logger.info(f'erasing step {step + 1}: mined in '
                        f'{time.perf_counter() - began:.1f} s; '
                        f'{100 * self.store.coverage():.1f}% of all image '
                        'cells erased')
            if step + 1 < self.num_steps:
                self._keep_converged_weights()
        self.export()

    def step_converged(self, step: int) -> bool:
        """Whether a step's classifier learnt to classify the erased
        images: its final loss fell below ``stop_loss_ratio`` of its own
        start *and* of the first step's start (the untrained classifier,
        which knows the class priors only).  The second test catches a
        step that starts high because erasing took the evidence its
        weights relied on, then settles at chance level: on photos whose
        tagged classes are parts of one figure, the first step's regions
        cover the whole figure and the second step learns nothing."""
        if step == 0 or self.stop_loss_ratio is None:
            return True
        start, end = self.step_loss_range(step)
        first_start = self.step_loss_range(0)[0]
        return end < self.stop_loss_ratio * min(start, first_start)

    def _converged_weights_path(self) -> str:
        return osp.join(self.export_dir, CONVERGED_WEIGHTS)

    def _keep_converged_weights(self) -> None:
        """The weights of the last mined step, in memory and on disk (a
        resumed run needs them if a later step fails to converge)."""
        state = {k: v.detach().cpu().clone()
                 for k, v in self._model().state_dict().items()}
        self._converged_state = state
        if is_main_process():
            with atomic_write(self._converged_weights_path()) as handle:
                torch.save(state, handle)

    def _restore_converged_weights(self) -> None:
        """A step that did not converge leaves a classifier that knows
        nothing of the objects: the CAM stage and the checkpoint get the
        last mined step's weights instead."""
        state = self._converged_state
        if state is None:
            path = self._converged_weights_path()
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'{path} does not exist: the weights of the last mined '
                    'erasing step are needed to undo the step that did not '
                    'converge (was the erasing folder deleted?)')
            state = torch.load(path, map_location='cpu', weights_only=True)
        self._model().load_state_dict(state)

    # ------------------------------------------------------------- mining
    @torch.no_grad()
    def mine(self, step: int) -> None:
        """Mine every image's discriminative regions (sharded over ranks,
        gathered with an all-reduce since shards are disjoint)."""
        model = self._model()
        was_training = model.training
        model.eval()
        # packed bits, one byte each: shards are disjoint, so the sum is
        # the union and never exceeds a byte
        mined = torch.zeros(self.store.regions.shape[1:], dtype=torch.uint8)
        shard = ImageShard(self.mining_set, show_progress=False)
        for batch in shard.loader(self.mining_batch_size):
            data = model.data_preprocessor(batch, False)
            cams = model.predict_cams(data['inputs'], data['data_samples'],
                                      self.mining_scales, self.mining_flip,
                                      full_size=False)
            for sample, cam in zip(data['data_samples'], cams):
                index = int(sample.metainfo['sample_idx'])
                start = self.store.offsets[index]
                regions = to_grid(cam, self.grid) >= self.mining_threshold
                if index in self.vis_indices:
                    self._keep_step_cam(index, step, cam)
                for row, region in enumerate(regions.cpu().numpy()):
                    mined[start + row] = torch.from_numpy(
                        np.packbits(region.ravel()))
        if get_dist_info()[1] > 1:
            all_reduce(mined, op='sum')
        packed = mined.numpy()
        for index in range(self.store.num_images):
            start, stop = self.store.offsets[index:index + 2]
            masks = np.stack([unpack(packed[r], self.grid)
                              for r in range(start, stop)]) \
                if stop > start else np.zeros((0, self.grid, self.grid), bool)
            self.store.add_regions(step, index, masks)
        self.steps_mined = step + 1
        model.train(was_training)

    def _keep_step_cam(self, index: int, step: int, cam) -> None:
        cams = self.step_cams.setdefault(index, [])
        del cams[step:]
        cams.append(cam.cpu().numpy().astype(np.float16))

    # ------------------------------------------------------------- export
    def export(self) -> None:
        """Regions, losses and the pictures' CAMs, written atomically."""
        if not is_main_process():
            return
        for index in range(self.store.num_images):
            info = self.train_set.get_data_info(index)
            save_regions_file(
                osp.join(self.export_dir, 'regions',
                         image_stem(info) + '.npz'),
                self.store.image_regions(index, self.steps_mined),
                info['img_labels'])
        for index, cams in self.step_cams.items():
            stem = image_stem(self.train_set.get_data_info(index))
            with atomic_write(osp.join(self.export_dir, 'step_cams',
                                       stem + '.npz')) as handle:
                np.savez_compressed(handle, cams=np.stack(cams))
        summary = dict(
            steps_done=self.steps_mined, stopped_early=self.stopped_early,
            mining_threshold=self.mining_threshold, grid=self.grid,
            step_losses=[dict(zip(('start', 'end'), self.step_loss_range(s)))
                         for s in range(self.num_steps) if self.losses[s]],
            iteration_losses=[step for step in self.losses if step])
        with atomic_write(osp.join(self.export_dir, 'erasing.json'),
                          'w') as handle:
            json.dump(summary, handle)

    # -------------------------------------------------------- persistence
    def state_dict(self) -> dict:
        return dict(masks=self.store.state_dict(), losses=self.losses,
                    steps_mined=self.steps_mined,
                    stopped_early=self.stopped_early,
                    step_cams={int(k): list(v)
                               for k, v in self.step_cams.items()})

    def load_state_dict(self, state: dict, source: str = 'checkpoint') -> None:
        self.store.load_state_dict(state['masks'], source=source)
        self.losses = [list(step) for step in state['losses']]
        self.losses += [[] for _ in range(self.num_steps - len(self.losses))]
        self.steps_mined = state['steps_mined']
        self.stopped_early = state['stopped_early']
        self.step_cams = {int(k): list(v)
                          for k, v in state.get('step_cams', {}).items()}
