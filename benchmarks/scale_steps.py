"""The per-image steps that ``benchmarks/scale.py`` measures, each run the
way its pipeline stage runs it (the same functions, ``'auto'`` workers),
on a VOC-layout dataset with tiny randomly initialised networks: the cost
per image is what is measured, not the quality.

Every function takes the dataset's folder and the folder of the step
outputs (``work``) and returns a dict: what the step wrote (``out``: a
folder whose files are counted) and anything it reports.  Steps read the
outputs of earlier ones (``STEPS`` is in pipeline order).

Run as a script, it runs every per-image step in order; under torchrun
each rank takes its share, as in a pipeline (the 2-rank check of
``tests/test_ranks.py``)::

    python benchmarks/scale_steps.py DATA WORK_1
    torchrun --nproc_per_node 2 benchmarks/scale_steps.py DATA WORK_2
"""
import os
import os.path as osp
import time
import types
from typing import Callable, Dict

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmwsss  # noqa: F401
from mmwsss.registry import DATASETS, MODELS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
NUM_CLASSES = 21  # VOC: background + 20
#: worker counts of every step: the pipeline's default, or a number
#: (``scale.py --workers``)
WORKERS = os.environ.get('MMWSSS_SCALE_WORKERS', 'auto')
WORKERS = int(WORKERS) if WORKERS.isdigit() else WORKERS
PROPOSALS = {}  # selective search's defaults (200 proposals)
LOAD = dict(type='LoadCheckedImageFromFile')
PACK = dict(type='PackWSSSInputs')
BATCH = 8


def dataset_cfg(root: str, pipeline=(LOAD, PACK), **extra) -> dict:
    """The training images (``VOCWSSSDataset``, labels from the masks)."""
    return dict(
        type='VOCWSSSDataset', data_root=root,
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path='SegmentationClass'),
        ann_file='ImageSets/Segmentation/train.txt',
        label_cache_dir=osp.join(root, '.labels'), pipeline=list(pipeline),
        **extra)


def dataset(root: str, pipeline=(LOAD, PACK), **extra):
    init_default_scope('mmseg')
    return DATASETS.build(dataset_cfg(root, pipeline, **extra))


def model(base: str, **changes):
    """A tiny network of ``configs/_base_/models/<base>.py``, random
    weights (seed 0), eval mode."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'models',
                                   base + '.py'))
    cfg.merge_from_dict(changes)
    init_default_scope('mmseg')
    torch.manual_seed(0)
    return MODELS.build(cfg.model).eval()


def cam_model():
    return model('cam_tiny_resnet', **{
        'model.head.num_classes': NUM_CLASSES,
        'model.test_cfg': dict(cam_scales=(1.0, ), cam_flip=True)})


def psl_model():
    return model('psl_tiny_resnet', **{
        'model.decode_head.seg_head.num_classes': NUM_CLASSES})


def hcp_model():
    return model('hcp_tiny_resnet', **{'model.head.num_classes': NUM_CLASSES})


def affinity_model():
    tiny = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'models',
                                    'tiny_resnet.py')).tiny_resnet
    init_default_scope('mmseg')
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='AffinityNet', backbone=dict(tiny, out_indices=(1, 2, 3)),
        in_channels=(32, 64, 128), data_preprocessor=dict(
            type='WSSSDataPreProcessor', mean=[127.5] * 3, std=[64.0] * 3,
            bgr_to_rgb=True))).eval()


#: the network each step runs, built before it is timed
NETWORKS = dict(cams=cam_model, mining=cam_model, psl_plus=psl_model,
                affinity=affinity_model, proposal_scores=hcp_model)
_BUILT: dict = {}


def prepare(step: str) -> None:
    """Build the step's network (not part of its cost per image)."""
    if step in NETWORKS:
        _BUILT[step] = NETWORKS[step]()


def network(step: str):
    return _BUILT.get(step) or NETWORKS[step]()


def cams(root: str, work: str) -> dict:
    from mmwsss.pseudo_labels import make_cams
    out = osp.join(work, 'cams')
    return dict(out=out, tally=make_cams(
        network('cams'), dataset(root), out, batch_size=BATCH,
        num_workers=WORKERS, show_progress=False))


def saliency(root: str, work: str) -> dict:
    from mmwsss.pseudo_labels import make_saliency_maps
    from mmwsss.saliency import build_saliency
    out = osp.join(work, 'saliency')
    backend = build_saliency(dict(type='SpectralResidualSaliency'))
    return dict(out=out, tally=make_saliency_maps(
        backend, dataset(root), out, batch_size=BATCH, show_progress=False))


def mining(root: str, work: str) -> dict:
    """One adversarial-erasing mining pass and the regions' export: the
    loop's own ``mine`` and ``export`` on a loop object given only what
    they read (a trainer is not needed to mine)."""
    from mmwsss.datasets.erasing_masks import ErasingMaskStore
    from mmwsss.engine.loops.adversarial_erasing_loop import (
        DEFAULT_MINING_PIPELINE, AdversarialErasingLoop)
    train = dataset(root)
    loop = object.__new__(AdversarialErasingLoop)
    labels = [train.get_data_info(i)['img_labels'] for i in range(len(train))]
    loop.__dict__.update(
        _runner=types.SimpleNamespace(model=network('mining')),
        train_set=train,
        mining_set=dataset(root, DEFAULT_MINING_PIPELINE),
        store=ErasingMaskStore(labels, 64, 3), grid=64,
        mining_threshold=0.6, mining_batch_size=BATCH,
        mining_scales=(1.0, ), mining_flip=False, vis_indices=[],
        step_cams={}, steps_mined=0, stopped_early=False,
        epochs_per_step=[1, 1, 1], losses=[[], [], []],
        export_dir=osp.join(work, 'erasing'))
    loop._attach_masks()
    loop.mine(0)
    loop.export()
    return dict(out=osp.join(work, 'erasing', 'regions'),
                store_bytes=int(loop.store.regions.nbytes +
                                loop.store.cumulative.numel()))


def pseudo_masks(root: str, work: str) -> dict:
    from mmwsss.pseudo_labels import make_pseudo_labels
    out = osp.join(work, 'pseudo_masks')
    return dict(out=out, tally=make_pseudo_labels(
        dataset(root), out, 'ae_saliency', cam_dir=osp.join(work, 'cams'),
        regions_dir=osp.join(work, 'erasing', 'regions'),
        saliency_dir=osp.join(work, 'saliency'), fuse_steps=1,
        num_workers=WORKERS, show_progress=False))


def psl_plus(root: str, work: str) -> dict:
    from mmwsss.pseudo_labels import make_psl_plus_labels
    out = osp.join(work, 'psl_plus')
    return dict(out=out, tally=make_psl_plus_labels(
        network('psl_plus'), dataset(root), out, crf='deeplab',
        batch_size=BATCH,
        num_workers=WORKERS, crf_workers=WORKERS, show_progress=False))


def affinity(root: str, work: str) -> dict:
    from mmwsss.pseudo_labels.affinity import make_affinity_labels
    out = osp.join(work, 'affinity')
    return dict(out=out, tally=make_affinity_labels(
        network('affinity'), dataset(root), osp.join(work, 'pseudo_masks'),
        out, batch_size=BATCH, num_workers=WORKERS, show_progress=False))


def proposals(root: str, work: str) -> dict:
    from mmwsss.proposals import make_proposals
    out = osp.join(work, 'proposals')
    return dict(out=out, tally=make_proposals(
        dataset(root), out, PROPOSALS, num_workers=WORKERS,
        show_progress=False))


def proposal_scores(root: str, work: str) -> dict:
    from mmwsss.proposals import score_proposals
    pipeline = (LOAD, dict(type='LoadProposals', max_count=200), PACK)
    data = dataset(root, pipeline,
                   proposal_path=osp.abspath(osp.join(work, 'proposals')))
    out = osp.join(work, 'scores')
    return dict(out=out, tally=score_proposals(
        network('proposal_scores'), data, out, batch_size=BATCH,
        num_workers=WORKERS,
        show_progress=False))


def _rerank(root: str, work: str, reference_images) -> dict:
    from mmwsss.proposals.reranking import rerank_dataset
    from mmwsss.proposals.scoring import load_scores
    from mmwsss.utils.io import image_stem
    data = dataset(root)
    infos = (data.get_data_info(i) for i in range(len(data)))
    ranking, report = rerank_dataset(
        ((image_stem(info), info['img_labels'], load_scores(
            osp.join(work, 'scores', image_stem(info) + '.npz')))
         for info in infos), reference_images=reference_images)
    return dict(ranked=sum(len(v) for v in ranking.values()),
                sampled_classes=len(report['sampled_classes']))


def rerank(root: str, work: str) -> dict:
    """HCP's re-ranking alone, as shipped (reference images)."""
    return _rerank(root, work, 64)


def rerank_exhaustive(root: str, work: str) -> dict:
    """The re-ranking before issue 27: every image against every other."""
    return _rerank(root, work, None)


def localization(root: str, work: str) -> dict:
    from mmwsss.proposals import make_localization_maps
    out = osp.join(work, 'localization')
    tally = make_localization_maps(
        dataset(root), osp.join(work, 'scores'),
        osp.join(work, 'proposals'), out, proposal_settings=PROPOSALS,
        show_progress=False)
    return dict(out=osp.join(out, 'maps'), extra_out=osp.join(out, 'masks'),
                rerank_seconds=tally['rerank_seconds'])


# ------------------------------------------------------------ bookkeeping
def _pipeline(root: str, work: str) -> Config:
    """Two per-image stages (saliency, pseudo masks from the CAMs step's
    folder as a user-given input) in ``work/pipeline``."""
    stage = dict(default_scope='mmseg', cam_dataloader=dict(
        batch_size=BATCH, num_workers=0, dataset=dataset_cfg(root)))
    return Config(dict(work_dir=osp.join(work, 'pipeline'),
                       dataset_check=dict(allow_rare=True), stages=dict(
        saliency=dict(type='SaliencyStage', config=stage,
                      saliency=dict(type='SpectralResidualSaliency')),
        masks=dict(type='PseudoLabelStage', config=stage,
                   mode='cam_saliency', workers=WORKERS,
                   max_empty_share=1.0,
                   inputs=dict(cams=osp.join(work, 'cams'),
                               saliency='saliency.maps')))))


def pipeline(root: str, work: str) -> dict:
    """The pipeline's first run (data check, manifests, both stages)."""
    from mmwsss.stages import run_stages
    run_stages(_pipeline(root, work))
    return dict(out=osp.join(work, 'pipeline', 'masks', 'labels'))


def resume(root: str, work: str) -> dict:
    """The same pipeline again on its finished work dir: every stage
    "complete, skipped" (what a user's rerun waits for)."""
    from mmwsss.stages import run_stages
    markers = run_stages(_pipeline(root, work))
    return dict(stages=len(markers))


def bookkeeping(root: str, work: str) -> dict:
    """The resume's parts, timed apart: the data check, a dataset
    manifest without and with the work dir's hash cache, and a user
    input folder's identity."""
    from mmwsss.stages.data_checks import check_pipeline_data
    from mmwsss.stages.dataset_record import FileHashes, dataset_manifest
    from mmwsss.stages.record import path_identity
    cfg = _pipeline(root, work)
    stage_cfg = Config(cfg.stages.saliency.config)
    cache = osp.join(cfg.work_dir, '.datasets', 'file_hashes.json')
    parts = dict(
        data_check=lambda: check_pipeline_data(stage_cfg, 'cam_dataloader',
                                               allow_rare=True),
        manifest_cold=lambda: dataset_manifest(dataset_cfg(root),
                                               hashes=FileHashes()),
        manifest_warm=lambda: dataset_manifest(dataset_cfg(root),
                                               hashes=FileHashes(cache)),
        input_identity=lambda: path_identity(osp.join(work, 'cams')))
    seconds = {}
    for name, action in parts.items():
        start = time.perf_counter()
        action()
        seconds[name] = time.perf_counter() - start
    return seconds


STEPS: Dict[str, Callable[[str, str], dict]] = dict(
    cams=cams, saliency=saliency, mining=mining, pseudo_masks=pseudo_masks,
    psl_plus=psl_plus, affinity=affinity, proposals=proposals,
    proposal_scores=proposal_scores, rerank=rerank,
    rerank_exhaustive=rerank_exhaustive, localization=localization,
    pipeline=pipeline, resume=resume, bookkeeping=bookkeeping)


#: the per-image steps and the folders they write (inside ``work``)
PER_IMAGE = dict(
    cams='cams', saliency='saliency', mining='erasing/regions',
    pseudo_masks='pseudo_masks', psl_plus='psl_plus', affinity='affinity',
    proposals='proposals', proposal_scores='scores',
    localization=('localization/maps', 'localization/masks'))


def run_per_image_steps(root: str, work: str) -> None:
    """Every per-image step in order, each rank its share (under a
    distributed launch), all ranks done before the next step starts."""
    from mmengine.dist import barrier

    from mmwsss.utils.dist import init_distributed
    if 'RANK' in os.environ and not torch.distributed.is_initialized():
        init_distributed('pytorch')
    for step in PER_IMAGE:
        prepare(step)
        STEPS[step](root, work)
        barrier()


def folder_size(path: str) -> Dict[str, int]:
    """Files and bytes of a folder (not recursive)."""
    if not path or not osp.isdir(path):
        return dict(files=0, bytes=0)
    sizes = [e.stat().st_size for e in os.scandir(path) if e.is_file()]
    return dict(files=len(sizes), bytes=sum(sizes))


if __name__ == '__main__':
    import sys
    run_per_image_steps(*sys.argv[1:3])
