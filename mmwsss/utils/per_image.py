"""The one mechanism behind every per-image step.

CAMs, saliency maps, pseudo masks, PSL++ masks and adversarial-erasing
mining all do the same thing: go over a dataset's images, compute
something per image and (usually) write one file per image.  They share
what makes that safe at VOC/COCO scale:

* **sharding**: rank ``r`` of ``w`` takes images ``r, r + w, ...``;
* **resume**: an image whose output file exists is skipped (outputs are
  written with :func:`mmwsss.utils.io.atomic_write`, so an existing file is
  a complete one);
* **progress**: one bar on rank 0;
* **tally**: how many images were done before, written now, plus any
  counts the step adds (``shard.count('empty')``);
* **worker processes** for CPU-bound per-image work (the dense CRF is
  single-threaded C++), started once per step, results in input order.
"""
import contextlib
import multiprocessing
import os
import os.path as osp
from collections import Counter, deque
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Optional,
                    Sequence)

from mmengine.dataset import pseudo_collate
from mmengine.dist import get_dist_info
from mmengine.utils import ProgressBar
from torch.utils.data import DataLoader, Subset

from .io import image_stem
from .workers import WorkerCount, loader_workers, pool_workers


class ImageShard:
    """This rank's share of ``dataset`` for one per-image step.

    Args:
        dataset: an mmwsss dataset (data infos with ``img_path``).
        out_dir: where the step writes ``<stem><suffix>`` per image;
            ``None`` for steps that keep results in memory (mining).
        suffix: output file suffix (``'.png'``, ``'.npz'``).
        skip_done: skip images whose output exists (resume); ``False``
            redoes every image of the shard.
        show_progress: a progress bar on rank 0.
    """

    def __init__(self, dataset, out_dir: Optional[str] = None,
                 suffix: str = '', skip_done: bool = True,
                 show_progress: bool = True) -> None:
        self.dataset = dataset
        self.out_dir, self.suffix = out_dir, suffix
        rank, world = get_dist_info()
        self.rank = rank
        self.indices = list(range(rank, len(dataset), world))
        if out_dir is not None:
            os.makedirs(out_dir, exist_ok=True)
        self.todo = [i for i in self.indices
                     if not (skip_done and out_dir is not None
                             and osp.isfile(self.out_path(i)))]
        self.counts: Counter = Counter()
        self._progress = ProgressBar(len(self.todo)) \
            if show_progress and rank == 0 and self.todo else None

    # ------------------------------------------------------------ naming
    def info(self, index: int) -> dict:
        return self.dataset.get_data_info(index)

    def out_path(self, item) -> str:
        """Output file of an image (a dataset index, data info or
        metainfo with ``img_path``)."""
        info = self.info(item) if isinstance(item, int) else item
        return osp.join(self.out_dir, image_stem(info) + self.suffix)

    # ----------------------------------------------------------- loading
    def loader(self, batch_size: int = 1,
               num_workers: WorkerCount = 0) -> DataLoader:
        """Batches of the images still to do, through the dataset's
        pipeline (no shuffling), collated for a model's data
        preprocessor (``num_workers='auto'``: :func:`loader_workers`)."""
        return DataLoader(Subset(self.dataset, self.todo),
                          batch_size=batch_size,
                          num_workers=loader_workers(num_workers),
                          collate_fn=pseudo_collate, shuffle=False)

    def info_batches(self, batch_size: int = 1) -> Iterator[List[dict]]:
        """Data infos of the images still to do, ``batch_size`` at a time
        (for steps that read files themselves)."""
        for start in range(0, len(self.todo), batch_size):
            yield [self.info(i) for i in self.todo[start:start + batch_size]]

    # ---------------------------------------------------------- progress
    def advance(self, count: int = 1) -> None:
        if self._progress:
            for _ in range(count):
                self._progress.update()

    def count(self, key: str, amount: int = 1) -> None:
        """Add to a named tally (reported with :meth:`tally`)."""
        self.counts[key] += amount

    def tally(self) -> Dict[str, int]:
        """``total`` images of this shard, ``done_before`` this run,
        ``written`` now, plus the step's own counts."""
        return dict(total=len(self.indices),
                    done_before=len(self.indices) - len(self.todo),
                    written=len(self.todo), **self.counts)


def _call(packed) -> Any:
    fn, args = packed
    return fn(*args)


class WorkerMap:
    """What :func:`worker_pool` yields: run a module-level ``fn`` over
    tasks (argument tuples) in the pool's processes, results in input
    order.

    ``parallel(fn, tasks)`` returns the list; ``parallel.imap(fn, tasks)``
    streams: it takes the next task from ``tasks`` only when fewer than
    ``max_pending`` are in flight, so a generator that runs a network to
    make each task overlaps with the workers (the parent computes image
    ``i + 1`` while the workers refine images ``i - 1`` and ``i``) and
    memory stays bounded.  A step that handed the pool one batch at a
    time and waited (``batch_size=1``: one task per call) kept one
    worker busy and the other idle.
    """

    def __init__(self, pool=None, num_workers: int = 1) -> None:
        self.pool, self.num_workers = pool, num_workers

    def __call__(self, fn: Callable, tasks: Iterable[Sequence]) -> list:
        return list(self.imap(fn, tasks))

    def imap(self, fn: Callable, tasks: Iterable[Sequence],
             max_pending: Optional[int] = None) -> Iterator[Any]:
        if self.pool is None:
            for task in tasks:
                yield fn(*task)
            return
        limit = max_pending or 2 * self.num_workers
        pending: deque = deque()
        for task in tasks:
            pending.append(self.pool.apply_async(_call, ((fn, tuple(task)),)))
            if len(pending) >= limit:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


@contextlib.contextmanager
def worker_pool(num_workers: WorkerCount) -> Iterator[WorkerMap]:
    """A :class:`WorkerMap` over ``num_workers`` processes, alive for the
    whole ``with`` block (one start-up per step, not per batch).

    ``fn`` must be a module-level function; tasks and results travel
    through pipes, so a task should carry paths and small arrays and
    return small results (a label map, a count), not full probability
    maps.  With ``num_workers <= 1`` everything runs in this process;
    ``'auto'`` (or ``None``) takes this rank's cores
    (:func:`mmwsss.utils.workers.pool_workers`).  Processes are forked
    where the OS allows, so they inherit the imported modules.
    """
    num_workers = pool_workers(num_workers)
    if num_workers <= 1:
        yield WorkerMap()
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context(
        'fork' if 'fork' in methods else None)
    with context.Pool(num_workers) as pool:
        yield WorkerMap(pool, num_workers)
