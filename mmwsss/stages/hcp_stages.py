"""Stages of the proposal-based baseline (HCP): proposals, the
classifier's scores of them, and the re-ranked soft localization maps.
Each runs one step of :mod:`mmwsss.proposals` (per image, atomic,
resumable, sharded over ranks)."""
import os.path as osp
from typing import Dict, Optional, Sequence

from mmengine.config import Config
from mmengine.dist import barrier
from mmengine.logging import print_log

from mmwsss.proposals import (make_localization_maps, make_proposals,
                              score_proposals)
from mmwsss.registry import STAGES
from mmwsss.utils.paths import PROPOSAL_LOADERS
from mmwsss.utils.workers import WorkerCount
from .base import Port, StageContext, ToolStage, placeholder_port


@STAGES.register_module()
class ProposalStage(ToolStage):
    """Object proposals (output ``proposals``, one ``.npz`` per image) of
    the images of every dataloader in ``dataset_keys`` (the training
    images, and the validation ones the classifier is validated on), with
    the selective-search settings of the config's ``proposals`` dict
    (:data:`mmwsss.proposals.DEFAULT_PROPOSAL_SETTINGS` for the rest),
    which later stages check the files against."""
    OUTPUTS = dict(proposals=Port('proposals'))

    def __init__(self, dataset_keys: Sequence[str] = PROPOSAL_LOADERS,
                 workers: WorkerCount = 'auto', **kwargs) -> None:
        super().__init__(**kwargs)
        self.dataset_keys = tuple(dataset_keys)
        self.workers = workers

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        tallies = {}
        settings = cfg.get('proposals')
        for key in self.dataset_keys:
            tallies[key] = make_proposals(
                self.dataset(cfg, key), osp.join(ctx.stage_dir, 'proposals'),
                settings, num_workers=self.workers)
        self.record(ctx, tallies)
        return dict(proposals='proposals')


@STAGES.register_module()
class ProposalScoreStage(ToolStage):
    """Scores and candidate features of every training image's proposals
    from the HCP classifier of input ``checkpoint`` (output ``scores``);
    the dataset (``cam_dataloader``) must route input ``proposals``."""
    INPUTS = dict(checkpoint=Port('checkpoint'),
                  proposals=placeholder_port('proposals'))
    OUTPUTS = dict(scores=Port('scores'))

    def __init__(self, candidates: int = 50, **kwargs) -> None:
        super().__init__(**kwargs)
        self.candidates = candidates

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        dataset, model = self.dataset_and_model(ctx, cfg)
        self.record(ctx, score_proposals(
            model, dataset, osp.join(ctx.stage_dir, 'scores'),
            candidates=self.candidates, **self.loader_settings(cfg)))
        return dict(scores='scores')


@STAGES.register_module()
class LocalizationMapStage(ToolStage):
    """Re-ranking over the dataset, then soft localization maps (output
    ``maps``, for training) and their argmax ``masks`` (for evaluation) of
    the training images, from inputs ``scores`` and ``proposals``."""
    INPUTS = dict(scores=Port('scores'), proposals=Port('proposals'))
    OUTPUTS = dict(maps=Port('maps'), masks=Port('masks'))

    def __init__(self, min_score: float = 0.5,
                 nearest_images: Optional[int] = None,
                 vote_top: Optional[int] = None, vote: str = 'score',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.min_score, self.nearest_images = min_score, nearest_images
        self.vote_top, self.vote = vote_top, vote

    def run(self, ctx: StageContext, cfg: Config) -> Dict[str, str]:
        self.require(ctx)
        dataset = self.dataset(cfg)
        tally = make_localization_maps(
            dataset, ctx.inputs['scores'], ctx.inputs['proposals'],
            ctx.stage_dir, min_score=self.min_score,
            nearest_images=self.nearest_images, vote_top=self.vote_top,
            vote=self.vote,
            proposal_settings=cfg.get('proposals'))
        self.record(ctx, tally)
        barrier()
        labelled = sum(1 for i in range(len(dataset))
                       if dataset.get_data_info(i)['img_labels'])
        print_log(f'stage {ctx.name!r}: {tally["missing"]} labelled classes '
                  f'of {labelled} labelled images had no confident proposal '
                  f'(their free pixels ignored); classes re-ranked from a '
                  f'single image: {tally["single_image_classes"]}',
                  logger='current')
        return dict(maps='maps', masks='masks')
