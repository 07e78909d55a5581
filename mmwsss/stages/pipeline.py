"""Running a pipeline config's ``stages``, resumably and honestly.

A run first takes the work dir's lock (one run per work dir,
:mod:`mmwsss.utils.work_dir_lock`), checks every stage spec
(:mod:`mmwsss.stages.graph`) and the training data
(:mod:`mmwsss.stages.data_checks`), so mistakes stop it before anything is
made.  Then each stage works in ``work_dir/<name>/`` and is complete when
its marker exists (:mod:`mmwsss.stages.record`); a crash at any point
leaves the stage incomplete and the next run redoes only what is missing:
complete stages are skipped, an interrupted training resumes from its last
intact checkpoint, per-image stages skip the files they already wrote.

A finished stage is kept only while it is still the same stage: its
*resolved* config, its own settings, its inputs and what its datasets hold
(:mod:`mmwsss.stages.dataset_record`) are fingerprinted when it starts.
If any of them changed since, the run stops with a message naming the
stage and what changed; ``redo_changed=True`` (``--redo-changed``) moves
the stale folder aside and runs the stage again, and every stage that used
its outputs follows.  A stage that only started with other settings made
nothing complete and is redone without asking.

Inputs are checked before a stage starts: a ``'STAGE.OUTPUT'`` input needs
STAGE's marker, the output path inside STAGE's folder, and (for folders)
at least as many files as STAGE recorded when it finished.

When some training images have pixel masks, a pipeline's
``pixel_subset_stages`` are merged over its stages before anything runs
(:mod:`mmwsss.stages.variants`).

Every stage that reads training images must read the pipeline's
(:class:`~mmwsss.stages.dataset_record.PipelineDataset`).

Under a distributed launch every rank runs every stage (training is data
parallel, per-image stages shard the images); rank 0 holds the lock and
writes the markers.
"""
import os.path as osp
import sys
import time
from typing import Dict, Optional, Tuple

from mmengine.config import Config
from mmengine.dist import barrier, get_rank
from mmengine.logging import print_log

from mmwsss.utils.checkpoints import protect_work_dir
from mmwsss.utils.paths import TRAINING_LOADERS
from mmwsss.utils.work_dir_lock import work_dir_lock
from .base import BaseStage, StageContext
from .data_checks import write_data_check
from .dataset_record import DatasetRecords, PipelineDataset
from .graph import (PipelinePlan, StageError, build_stage, check_pipeline,
                    ordered_specs, pipeline_variables)
from .record import (MARKER, data_prints, fingerprint, keep_finished,
                     marker_output, read_marker, resolve_inputs, write_marker,
                     write_started)
from .variants import (SUBSET_STAGES, pixel_subset_size, subset_stages,
                       with_subset_stages)

__all__ = ['MARKER', 'StageError', 'build_stage', 'ordered_specs',
           'pipeline_variables', 'read_marker', 'resolve_inputs',
           'run_stages', 'trained_model', 'PipelineRun']


class PipelineRun:
    """One pass over a pipeline's stages, checked when it is made."""

    def __init__(self, cfg: Config, launcher: str, only: Optional[str],
                 redo_changed: bool) -> None:
        self.only, self.launcher = only, launcher
        self.redo_changed = redo_changed
        # files in the work dir are ours: never unpickled beyond the
        # allowlist of checkpoint types, whatever a tampered file holds
        self.work_dir = protect_work_dir(cfg.work_dir)
        self.config_path = cfg.filename
        self.dataset_check = dict(cfg.get('dataset_check') or {})
        self.dataset = PipelineDataset()
        self.records = DatasetRecords(self.work_dir)
        self.pixel_subset = 0
        if not subset_stages(cfg):
            self._use(check_pipeline(cfg, only))
            return
        # the data decides the shape (mmwsss.stages.variants); the plan
        # that found the training images is kept when the shape stays
        self._use(check_pipeline(cfg))
        self.pixel_subset = self._pixel_subset_size()
        if self.pixel_subset:
            changed = [name for name, spec in subset_stages(cfg).items()
                       if spec is not None]
            print_log(f'{self.pixel_subset} training images have pixel '
                      f'masks: the pipeline takes its {SUBSET_STAGES} '
                      f'({", ".join(changed)})', logger='current')
            self._use(check_pipeline(with_subset_stages(cfg), only))
        elif only is not None:
            self._use(check_pipeline(cfg, only))

    def _use(self, plan: PipelinePlan) -> None:
        """Run the stages of a checked plan."""
        self.specs, self.names = plan.specs, plan.names
        self.config_dir = plan.config_dir
        self.common, self.variables = plan.common, plan.variables
        self.stages = plan.stages

    def _pixel_subset_size(self) -> int:
        """Pixel-labelled images among the training images (0 when no
        stage reads them)."""
        found = self.training_config()
        return pixel_subset_size(found[1], found[0]) if found else 0

    def context(self, name: str, stage: BaseStage,
                resolve: bool = True) -> Tuple[StageContext, Dict[str, str]]:
        """The stage's context; ``resolve=False`` stands in names for
        inputs not made yet (to read a config before anything ran)."""
        if resolve:
            inputs, identity = resolve_inputs(name, stage.inputs,
                                              self.work_dir, self.names)
        else:
            inputs = {k: f'<{k}: {v}>' for k, v in stage.inputs.items()}
            identity = {}
        return StageContext(
            name=name, work_dir=self.work_dir,
            stage_dir=osp.join(self.work_dir, name),
            config_dir=self.config_dir, launcher=self.launcher,
            pipeline_config=self.config_path, inputs=inputs,
            common_cfg_options=self.common,
            variables=self.variables), identity

    def training_config(self) -> Optional[Tuple[str, Config]]:
        """``(dataloader key, config)`` of the first stage that reads the
        training images, loaded before any stage ran."""
        for name, spec in self.specs:
            stage = self.stages.get(name) or build_stage(name, spec)
            key = getattr(stage, 'dataset_key', None)
            if key in TRAINING_LOADERS:
                ctx, _ = self.context(name, stage, resolve=False)
                return key, stage.load_config(ctx)
        return None

    def check_data(self) -> None:
        """The training data checked once, before the first stage: class
        counts, rare classes and typos, untagged images, classes never
        alone (:mod:`mmwsss.datasets.dataset_check`), photos whose decoded
        size disagrees with their EXIF orientation
        (:func:`~mmwsss.stages.data_checks.write_data_check`)."""
        found = self.training_config()
        if found is not None:
            key, cfg = found
            write_data_check(self.work_dir, cfg, key, self.dataset_check)

    def run(self) -> Dict[str, dict]:
        """Every stage in order (or just ``only``); the markers."""
        self.check_data()
        markers = {}
        for number, (name, spec) in enumerate(self.specs, 1):
            header = f'[stage {number}/{len(self.specs)}] {name} ' \
                f'({spec["type"]})'
            stage_dir = osp.join(self.work_dir, name)
            if self.only is not None and name != self.only:
                markers[name] = read_marker(stage_dir)
                continue
            stage = build_stage(name, spec)
            ctx, identity = self.context(name, stage)
            cfg = stage.load_config(ctx)
            self.dataset.check(name, spec,
                               getattr(stage, 'dataset_key', None), cfg)
            prints = fingerprint(stage, cfg, identity, self.work_dir)
            prints.update(data_prints(self.records, stage, cfg))
            if keep_finished(name, header, stage_dir, prints, self.records,
                             self.redo_changed):
                markers[name] = read_marker(stage_dir)
                continue
            markers[name] = self._execute(name, spec, header, stage, ctx,
                                          cfg, prints)
        return markers

    def _execute(self, name, spec, header, stage, ctx, cfg, prints) -> dict:
        """Run one stage in its folder; its marker once every rank is
        done."""
        write_started(ctx.stage_dir, name, prints)
        print_log(f'{header}: running in {ctx.stage_dir}', logger='current')
        start = time.time()
        outputs = stage.run(ctx, cfg)
        barrier()
        if get_rank() == 0:
            write_marker(ctx.stage_dir, name, spec['type'], outputs,
                         time.time() - start, prints,
                         getattr(stage, 'report', {}))
        barrier()
        marker = read_marker(ctx.stage_dir)
        print_log(f'{header}: done in {marker["seconds"]} s',
                  logger='current')
        return marker


def run_stages(cfg: Config, launcher: str = 'none',
               only: Optional[str] = None,
               redo_changed: bool = False) -> Dict[str, dict]:
    """Run ``cfg.stages`` in ``cfg.work_dir`` (all, or just ``only``);
    returns every stage's marker.  Complete, unchanged stages are
    skipped.  The work dir is locked for the run (one run per work dir,
    :mod:`mmwsss.utils.work_dir_lock`); every spec is checked first."""
    run = PipelineRun(cfg, launcher, only, redo_changed)
    with work_dir_lock(run.work_dir, command=' '.join(sys.argv)):
        return run.run()


def trained_model(cfg: Config, stage: Optional[str] = None
                  ) -> Tuple[Config, str]:
    """The model a finished pipeline trained: the resolved config (with the
    pipeline's and the stage's options, as it trained) and the final
    checkpoint of ``stage`` (default: the config's ``final_model``, else
    its last training stage) in ``cfg.work_dir``.  The runner's job: the
    config is resolved exactly as the run resolved it."""
    run = PipelineRun(cfg, 'none', None, False)
    trains = [name for name, spec in run.specs if spec['type'] == 'TrainStage']
    stage = stage or cfg.get('final_model') or (trains[-1] if trains else None)
    if stage not in run.names:
        raise StageError(f'no training stage {stage!r} in {cfg.filename}; '
                         f'stages: {run.names}')
    marker = read_marker(osp.join(run.work_dir, stage))
    if marker is None or 'checkpoint' not in marker.get('outputs', {}):
        raise StageError(
            f'stage {stage!r} has not finished in {run.work_dir} (no '
            f'{osp.join(run.work_dir, stage, MARKER)} with a checkpoint); '
            'train the pipeline first')
    checkpoint = marker_output(osp.join(run.work_dir, stage), marker,
                               'checkpoint')
    built = run.stages[stage]
    try:
        ctx, _ = run.context(stage, built)
    except StageError:  # its training inputs are gone: not needed to test
        ctx, _ = run.context(stage, built, resolve=False)
    return built.load_config(ctx), checkpoint
