"""Cost at scale (issue 27): worker counts from the machine, fingerprints
that ignore them, re-ranking against reference images (linear, bounded
memory, exact for small classes), and the scale benchmark's own parts."""
import os
import os.path as osp
import sys
import time

import numpy as np
import pytest
import torch
from mmengine.config import Config

from conftest import REPO

sys.path.insert(0, osp.join(REPO, 'benchmarks'))


# ------------------------------------------------------- worker defaults
def test_auto_workers_share_the_usable_cores_among_local_ranks(
        monkeypatch):
    from mmwsss.utils import workers
    monkeypatch.setattr(workers.os, 'sched_getaffinity',
                        lambda pid: set(range(16)), raising=False)
    monkeypatch.delenv('LOCAL_WORLD_SIZE', raising=False)
    monkeypatch.delenv('SLURM_NTASKS_PER_NODE', raising=False)
    assert workers.pool_workers('auto') == 16
    assert workers.loader_workers(None) == 15
    monkeypatch.setenv('LOCAL_WORLD_SIZE', '8')
    assert workers.pool_workers('auto') == 2
    assert workers.loader_workers('auto') == 1
    assert workers.pool_workers(3) == 3  # a number means that number
    with pytest.raises(ValueError, match="'auto'"):
        workers.pool_workers('many')
    monkeypatch.setattr(workers.os, 'sched_getaffinity',
                        lambda pid: {0}, raising=False)
    monkeypatch.delenv('LOCAL_WORLD_SIZE')
    assert workers.loader_workers('auto') == 0  # load in the main process


def test_auto_dataloaders_are_resolved_by_prepare_config(monkeypatch):
    from mmwsss.apis import prepare_config
    from mmwsss.utils import workers
    monkeypatch.setattr(workers, 'cores_per_rank', lambda: 1)
    cfg = Config(dict(
        train_dataloader=dict(num_workers='auto', persistent_workers=True),
        val_dataloader=dict(num_workers=2, persistent_workers=True)))
    prepare_config(cfg)
    assert cfg.train_dataloader.to_dict() == dict(num_workers=0)
    assert cfg.val_dataloader.num_workers == 2
    assert cfg.val_dataloader.persistent_workers


def test_a_pool_of_auto_workers_runs_every_task_in_order():
    from mmwsss.utils.per_image import worker_pool
    with worker_pool('auto') as parallel:
        assert parallel(divmod, [(7, 2), (9, 4)]) == [(3, 1), (2, 1)]


def test_worker_counts_do_not_change_a_stage_fingerprint(init_scope):
    """'auto', 2 or 4 workers: the same stage; a marker written before
    the rule (counts hashed) still matches; a real change still shows."""
    from mmwsss.stages.graph import build_stage
    from mmwsss.stages.record import changed_parts, fingerprint
    from mmwsss.utils.workers import pool_workers

    def prints(workers, loader_workers, batch=8):
        stage = build_stage('masks', dict(
            type='PseudoLabelStage', config='x.py', mode='cam',
            workers=workers))
        cfg = Config(dict(cam_dataloader=dict(
            batch_size=batch, num_workers=loader_workers,
            persistent_workers=loader_workers > 0)))
        return fingerprint(stage, cfg, {}, '/w')

    auto = prints('auto', 1)
    assert not changed_parts(auto, prints(4, 0))
    assert changed_parts(auto, prints('auto', 1, batch=4)) == ['config']
    legacy = dict(prints(pool_workers('auto'), 1).legacy)  # no scheme
    assert not changed_parts(legacy, auto)
    assert changed_parts(legacy, prints('auto', 1, batch=4)) == ['config']


# ------------------------------------------------------------ re-ranking
def _candidates(images, seed=0, dim=6):
    rng = np.random.default_rng(seed)
    out = []
    for n in range(images):
        count = int(rng.integers(1, 5))
        feats = rng.normal(size=(count, dim)).astype(np.float32)
        feats /= np.linalg.norm(feats, axis=1, keepdims=True)
        out.append((f'img{n:03d}', np.arange(count) * 3 + n,
                    rng.random(count).astype(np.float32), feats))
    return out


def _stream(candidates, cls=7):
    """Score files holding exactly ``candidates`` (all confident)."""
    for stem, index, scores, feats in candidates:
        table = np.zeros((len(index), cls), np.float32)
        table[:, cls - 1] = 0.5 + scores / 2
        yield stem, [cls], dict(index=index, scores=table,
                                feature_rows=np.arange(len(index)),
                                features=feats)


def test_a_class_within_the_references_is_ranked_exactly_as_before():
    from mmwsss.proposals.reranking import rerank_dataset
    cands = _candidates(12)
    for nearest in (None, 3):
        exact, _ = rerank_dataset(_stream(cands), nearest_images=nearest,
                                  reference_images=None)
        sampled, report = rerank_dataset(_stream(cands), reference_images=12,
                                         nearest_images=nearest)
        assert report['sampled_classes'] == []
        for stem in exact:
            assert np.array_equal(exact[stem][7], sampled[stem][7])


def test_later_images_are_ranked_against_the_reference_images():
    """The first R images rank among themselves; each later one by its
    mean shortest distance to every reference image, brute force."""
    from mmwsss.proposals.reranking import (ClassReranker, rerank_class,
                                            rerank_dataset)
    cands = _candidates(10, seed=1)
    ranking, report = rerank_dataset(_stream(cands), reference_images=4)
    assert report['sampled_classes'] == [7]
    among = rerank_class(cands[:4])
    for stem, order in among.items():
        assert np.array_equal(ranking[stem][7], order)
    for stem, index, _, feats in cands[4:]:
        means = [np.mean([torch.cdist(torch.from_numpy(f[None]),
                                      torch.from_numpy(ref[3])).min().item()
                          for ref in cands[:4]]) for f in feats]
        assert ranking[stem][7].tolist() == \
            index[np.argsort(means, kind='stable')].tolist()
    reranker = ClassReranker(4)
    for cand in cands:
        reranker.add(cand)
    assert not reranker.pending  # only the references' features stay
    assert len(reranker.references[0]) == sum(len(c[1]) for c in cands[:4])
    with pytest.raises(ValueError, match='at least 2'):
        ClassReranker(1)


# ---------------------------------------------------- the scale benchmark
def test_the_scale_datasets_have_voc_like_tags(tmp_path):
    import scale
    from scale_steps import dataset
    root = scale.generate(str(tmp_path / 'data'), 240, 32)
    data = dataset(root)
    infos = [data.get_data_info(i) for i in range(240)]
    tags = [len(info['img_labels']) for info in infos]
    assert 1.3 < np.mean(tags) < 1.7 and min(tags) >= 1
    classes = {c for info in infos for c in info['img_labels']}
    assert len(classes) == 20
    assert scale.generate(root, 240, 32) == root  # complete: kept


def test_a_step_is_measured_and_the_exponent_fitted(tmp_path):
    import scale
    root = scale.generate(str(tmp_path / 'data'), 12, 32)
    start = time.perf_counter()
    result = scale.measure('saliency', root, str(tmp_path / 'work'))
    elapsed = time.perf_counter() - start
    out = tmp_path / 'work' / 'saliency'
    assert result['files'] == 12 == len(os.listdir(out))
    assert result['bytes'] == sum(p.stat().st_size for p in out.iterdir())
    # the step's time lies within the call's; its peak memory (MB) is at
    # least what the process held when the step began, and less than the
    # machine has (a count in kB would not be)
    assert 0 < result['seconds'] <= elapsed
    total_mb = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**20
    assert 0 < result['rss_before_mb'] <= result['peak_rss_mb'] < total_mb
    assert scale.fit_exponent([100, 1000], [1.0, 100.0]) == \
        pytest.approx(2.0)
    runs = {str(n): dict(result, seconds=n / 100, bytes=n * 1024, files=n)
            for n in (100, 1000, 10000)}
    row = scale.summarise(dict(step=runs))['step']
    assert row['k'] == pytest.approx(1.0) and not row['flagged']
    assert row['kb_per_image'] == pytest.approx(1.0)
    assert scale.project(row, 20000) == pytest.approx(200.0)


def test_the_score_vote_does_not_depend_on_the_order():
    """The pipelines' vote (classifier scores, every confident proposal)
    takes a maximum per pixel: another re-ranked order, the same map."""
    from mmwsss.proposals import Proposals, vote_map
    seg = np.repeat(np.array([[0, 0, 1, 1, 2, 2]], np.uint16), 4, axis=0)
    proposals = Proposals(boxes=np.zeros((3, 4), np.float32),
                          grouping=np.zeros(3, np.int64),
                          offsets=np.array([0, 1, 3, 4]),
                          members=np.array([0, 0, 1, 2]),
                          segmentations=seg[None])
    scores = {0: 0.9, 1: 0.6, 2: 0.7}
    maps = []
    for order in ([0, 1, 2], [2, 0, 1]):
        ranking = {3: np.array(order)}
        weights = {3: np.array([scores[i] for i in order], np.float32)}
        maps.append(vote_map(proposals, ranking, [3], (4, 6), None,
                             weights))
    for first, second in zip(*maps):
        assert np.array_equal(first, second)
