"""Split a map's items into contiguous batches: one task per batch, so per-task overhead is paid per partition."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..config import ScaleOptions
from ..pipeline import release_free_memory

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

    def map(self, fn: Callable[[T], R], items: Sequence[T], desc: str = "", *, min_items: int | None = None) -> list[R]:
        """``[fn(item) for item in items]`` on the workers; inline below ``min_items`` (``options.min_parallel``)."""
        threshold = self.options.min_parallel if min_items is None else min_items
        if len(items) < max(threshold, 1) or len(items) < 2:
            return run_batch(fn, items)
        batches = partition(items, self.workers * self.options.partitions_per_worker)
        return [item for batch in self._run_batches(fn, batches, desc or "a map") for item in batch]

    def _run_batches(self, fn: Callable[[Any], Any], batches: list[list[Any]], desc: str) -> list[list[Any]]:
        raise NotImplementedError
