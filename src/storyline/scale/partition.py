"""Split a map's items into contiguous batches: one task per batch, so per-task overhead is paid per partition."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from ..config import ScaleOptions
from ..pipeline import release_free_memory, run_inline

T = TypeVar("T")
R = TypeVar("R")


def partition(items: Sequence[T], parts: int) -> list[list[T]]:
    """``items`` in at most ``parts`` contiguous, near-equal, non-empty batches, in order."""
    if parts < 1:
        raise ValueError(f"parts must be at least 1, got {parts}")
    count = len(items)
    parts = min(parts, count)
    if not parts:
        return []
    size, extra = divmod(count, parts)
    batches, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        batches.append(list(items[start:end]))
        start = end
    return batches


def bounded_partition(items: Sequence[T], costs: Sequence[float], parts: int, most: float) -> list[list[T]]:
    """``partition(items, parts)``, each batch whose summed ``costs`` exceed ``most`` cut again, in order, into
    ``ceil(cost / most)`` contiguous batches of near-equal cost (an item goes where the middle of its cost falls)."""
    if len(costs) != len(items):
        raise ValueError(f"{len(costs)} costs for {len(items)} items")
    if most <= 0:
        raise ValueError(f"the most a batch may cost must be positive, got {most}")
    batches: list[list[T]] = []
    for part in partition(range(len(items)), parts):
        cost = [max(costs[i], 0.0) for i in part]
        total = sum(cost)
        if total <= most:
            batches.append([items[i] for i in part])
            continue
        pieces = math.ceil(total / most)
        cut: list[list[T]] = [[] for _ in range(pieces)]
        held = 0.0
        for i, c in zip(part, cost, strict=True):
            cut[min(int((held + c / 2) / total * pieces), pieces - 1)].append(items[i])
            held += c
        batches.extend(piece for piece in cut if piece)
    return batches


def run_batch(fn: Callable[[T], R], batch: Sequence[T]) -> list[R]:
    """Apply ``fn`` to every item of one batch (what each worker task does)."""
    return [fn(item) for item in batch]


def run_worker_batch(fn: Callable[[T], R], batch: Sequence[T]) -> list[R]:
    """:func:`run_batch` on a pool or Dask worker, with one BLAS/OpenMP thread (see :func:`one_thread`); the
    memory the previous batch freed goes back to the system first (``pipeline.release_free_memory``)."""
    one_thread()
    release_free_memory()
    return run_batch(fn, batch)


def one_thread() -> None:
    """Limit the BLAS and OpenMP libraries loaded in this worker process to one thread each.

    The engines run one worker per core, so numpy's and scipy's OpenBLAS (two threads each by default on two cores)
    would oversubscribe the cores: four busy threads on two cores, and spinning threads burn CPU the other worker
    needs. Called before every batch, since a batch may load a library (scipy, scikit-learn's OpenMP) for the first
    time; MiniLM also holds BLAS to one thread while it encodes (``embed.MiniLMEmbedder``), in any process.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


WARM_MODULES = ("storyline.pipeline", "storyline.text.sentences", "storyline.dedup", "storyline.summary")
"""What ``start()`` imports in every worker, so the first batch of each stage does not pay for imports."""


def warm_up() -> int:
    """Import the pipeline's modules in this (worker) process; returns its pid."""
    import importlib
    import os

    for name in WARM_MODULES:
        importlib.import_module(name)
    return os.getpid()


class BatchingExecutor:
    """What the process pool and Dask engines share: run small maps inline, cut the rest into batches, keep order."""

    options: ScaleOptions
    progress: bool

    @property
    def workers(self) -> int:
        raise NotImplementedError

    def map(self, fn: Callable[[T], R], items: Sequence[T], desc: str = "", *, min_items: int | None = None,
            affinity: Sequence[tuple[Hashable, float]] | None = None) -> list[R]:
        """``[fn(item) for item in items]`` on the workers; inline below ``min_items`` (``options.min_parallel``).
        With ``affinity`` (a key and a cost per item) an engine that can place work (``_run_keyed``) sends each
        item to the worker its key went to before; the others cut the items into ``partitions_per_worker`` batches
        per worker, each bounded by ``options.batch_characters`` of cost (``bounded_partition``) as the placing
        engine bounds its own."""
        threshold = self.options.min_parallel if min_items is None else min_items
        if len(items) < max(threshold, 1) or len(items) < 2:
            return run_inline(fn, items)
        if affinity is not None and len(affinity) != len(items):
            raise ValueError(f"affinity has {len(affinity)} entries for {len(items)} items")
        if affinity is not None and self.workers > 1:
            keyed = self._run_keyed(fn, list(items), affinity, desc or "a map")
            if keyed is not None:
                return keyed
        parts = self.workers * self.options.partitions_per_worker
        batches = partition(items, parts) if affinity is None else \
            bounded_partition(items, [cost for _, cost in affinity], parts, self.options.batch_characters)
        return [item for batch in self._run_batches(fn, batches, desc or "a map") for item in batch]

    def _run_batches(self, fn: Callable[[Any], Any], batches: list[list[Any]], desc: str) -> list[list[Any]]:
        raise NotImplementedError

    def _run_keyed(self, fn: Callable[[Any], Any], items: list[Any], affinity: Sequence[tuple[Hashable, float]],
                   desc: str) -> list[Any] | None:
        """The results of a map whose items are placed by key, or None where the engine cannot place work."""
        return None


class Placement:
    """Which worker each key of an ``affinity`` map goes to, remembered across maps (the last ``limit`` keys).

    A key goes back to the worker it had while that worker's share of the map's cost stays within ``slack`` of an
    even share (or the worker has nothing yet); the other items, costliest first, go to the least loaded worker,
    which becomes their key's worker.
    """

    def __init__(self, workers: int, slack: float = 0.25, limit: int = 50_000) -> None:
        from collections import OrderedDict

        self.workers, self.slack, self.limit = workers, slack, limit
        self.home: OrderedDict[Hashable, int] = OrderedDict()

    def place(self, affinity: Sequence[tuple[Hashable, float]]) -> list[int]:
        """The worker of each item (``affinity``: its key and cost), in the items' order."""
        load = [0.0] * self.workers
        fair = sum(max(cost, 0.0) for _, cost in affinity) / self.workers * (1 + self.slack)
        where = [0] * len(affinity)
        order = sorted(range(len(affinity)), key=lambda i: -affinity[i][1])
        later = []
        for i in order:  # first the keys whose worker has room, costliest first
            key, cost = affinity[i]
            home = self.home.get(key)
            if home is not None and home < self.workers and (load[home] + cost <= fair or not load[home]):
                where[i] = home
                load[home] += cost
            else:
                later.append(i)
        for i in later:
            key, cost = affinity[i]
            where[i] = min(range(self.workers), key=lambda w: (load[w], w))
            load[where[i]] += cost
        for i, (key, _) in enumerate(affinity):
            self.home[key] = where[i]
            self.home.move_to_end(key)
        while len(self.home) > self.limit:
            self.home.popitem(last=False)
        return where
