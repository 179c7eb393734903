"""The local default: a pool of worker processes (one per core) that lives for the whole run.

Functions are shipped with cloudpickle, so stage closures work unchanged; a function is serialized once per map and
cached in each worker by its hash (a large one travels through a temporary file, read once per worker). Workers
start from a clean forkserver, never by forking a parent that may hold model threads, and keep whatever they load
(embedding models, spaCy) for the next batch and the next stage. The fork server imports the packages the run's
models need (``preload``: spaCy, model2vec, tokenizers...) once, before it forks the workers, so each worker starts
with them imported instead of spending ~1-2 CPU seconds importing them again; it loads no model and starts no thread.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import tempfile
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cloudpickle
from tqdm import tqdm

from ..config import ScaleOptions
from ..errors import EngineError
from ..pipeline import release_free_memory
from .partition import BatchingExecutor, Placement, bounded_partition, run_batch, run_worker_batch, warm_up

INLINE_FUNCTION_BYTES = 1_000_000
"""Functions pickled larger than this go to workers through a temporary file instead of with every batch."""

_FUNCTIONS: dict[str, Callable[[Any], Any]] = {}


def _load_function(key: str, blob: bytes | None, path: str | None) -> Callable[[Any], Any]:
    """The shipped function, unpickled once per worker process and map."""
    fn = _FUNCTIONS.get(key)
    if fn is None:
        data = blob if blob is not None else Path(path or "").read_bytes()
        fn = cloudpickle.loads(data)
        if len(_FUNCTIONS) >= 4:
            _FUNCTIONS.clear()
        _FUNCTIONS[key] = fn
    return fn


def _run_shipped(key: str, blob: bytes | None, path: str | None, batch: list[Any]) -> list[Any]:
    """Worker entry point: run the shipped function over one batch."""
    return run_worker_batch(_load_function(key, blob, path), batch)


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass
class ProcessExecutor(BatchingExecutor):
    """Runs maps on worker processes, one per core; small maps (under ``options.min_parallel`` items) run in this
    process. Each worker is a pool of one process (a lane), so a map can place work on a given worker: an
    ``affinity`` map sends a key back to the worker that had it (``Placement``: a story to the process that keeps
    its sentences' model outputs); any other map gives each batch to the next worker that is free."""

    options: ScaleOptions = field(default_factory=ScaleOptions)
    progress: bool = True
    preload: Sequence[str] = ()
    """Packages the fork server imports before forking workers (see the module docstring). The fork server is one
    per process: the first pool of a process starts it, and a later pool's ``preload`` adds nothing."""
    _lanes: list[ProcessPoolExecutor] = field(default_factory=list, init=False, repr=False)
    _placement: Placement | None = field(default=None, init=False, repr=False)

    @property
    def workers(self) -> int:
        return self.options.workers or default_workers()

    @property
    def started(self) -> bool:
        """Whether worker processes are running (a map too small to share out never starts them)."""
        return bool(self._lanes)

    def _get_lanes(self) -> list[ProcessPoolExecutor]:
        if not self._lanes:
            context = multiprocessing.get_context("forkserver")
            if self.preload:  # after __main__, which the fork server imports by default
                context.set_forkserver_preload(["__main__", *self.preload])
            if self.options.nice and hasattr(os, "nice"):
                self._lanes = [ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=os.nice,
                                                   initargs=(self.options.nice,)) for _ in range(self.workers)]
            else:
                self._lanes = [ProcessPoolExecutor(max_workers=1, mp_context=context) for _ in range(self.workers)]
        return self._lanes

    def start(self) -> None:
        """Start every worker now (otherwise the first large map does), e.g. before timing or serving."""
        for future in [lane.submit(warm_up) for lane in self._get_lanes()]:
            future.result()

    def _run_batches(self, fn: Callable[[Any], Any], batches: list[list[Any]], desc: str) -> list[list[Any]]:
        return self._run(fn, batches, None, desc)

    def _run_keyed(self, fn: Callable[[Any], Any], items: list[Any], affinity: Sequence[tuple[Hashable, float]],
                   desc: str) -> list[Any] | None:
        if self._placement is None or self._placement.workers != self.workers:
            self._placement = Placement(self.workers)
        where = self._placement.place(affinity)
        batches, lanes, positions = [], [], []
        for lane in range(self.workers):
            mine = [i for i in range(len(items)) if where[i] == lane]
            for part in bounded_partition(mine, [affinity[i][1] for i in mine], self.options.partitions_per_worker,
                                          self.options.batch_characters):
                batches.append([items[i] for i in part])
                lanes.append(lane)
                positions.append(part)
        results: list[Any] = [None] * len(items)
        for part, done in zip(positions, self._run(fn, batches, lanes, desc), strict=True):
            for i, result in zip(part, done, strict=True):
                results[i] = result
        return results

    def _run(self, fn: Callable[[Any], Any], batches: list[list[Any]], lanes_of: list[int] | None,
             desc: str) -> list[list[Any]]:
        """The batches' results in order: each batch on its worker in ``lanes_of``, or (None) on the next worker
        that is free."""
        if self.workers == 1:
            return [run_batch(fn, batch) for batch in batches]
        blob = cloudpickle.dumps(fn)
        key = hashlib.blake2b(blob, digest_size=16).hexdigest()
        with tempfile.TemporaryDirectory(prefix="storyline-fn-") as tmp:
            path = None
            if len(blob) > INLINE_FUNCTION_BYTES:
                path = str(Path(tmp) / key)
                Path(path).write_bytes(blob)
            shipped = None if path else blob
            lanes = self._get_lanes()
            waiting = [deque(i for i, lane in enumerate(lanes_of) if lane == w) for w in range(len(lanes))] \
                if lanes_of is not None else [deque(range(len(batches)))] * len(lanes)
            futures: dict[Future[list[Any]], tuple[int, int]] = {}

            def submit(lane: int) -> None:  # placed batches all at once; free ones one at a time per worker
                while waiting[lane]:
                    index = waiting[lane].popleft()
                    futures[lanes[lane].submit(_run_shipped, key, shipped, path, batches[index])] = (index, lane)
                    if lanes_of is None:
                        return

            for lane in range(len(lanes)):
                submit(lane)
            results: list[list[Any]] = [[] for _ in batches]
            bar = tqdm(total=sum(len(batch) for batch in batches), desc=desc, unit="item", disable=not self.progress,
                       leave=False)
            try:
                while futures:
                    done, _ = wait(futures, return_when=FIRST_COMPLETED)
                    for future in done:
                        index, lane = futures.pop(future)
                        try:
                            results[index] = future.result()
                        except BrokenProcessPool as exc:
                            self.close()
                            raise EngineError(
                                f"a worker process died during {desc} (out of memory?); "
                                "run with fewer workers (--workers) or --engine local"
                            ) from exc
                        except Exception as exc:
                            exc.add_note(f"in a worker process, during {desc}, batch {index + 1}/{len(batches)}")
                            for other in futures:
                                other.cancel()
                            raise
                        bar.update(len(batches[index]))
                        submit(lane)
            finally:
                bar.close()
        release_free_memory()  # the pickled batches and results, freed in the pool's threads' arenas
        return results

    def close(self) -> None:
        """Stop the worker processes."""
        lanes, self._lanes, self._placement = self._lanes, [], None
        for lane in lanes:
            lane.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
