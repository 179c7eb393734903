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
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cloudpickle
from tqdm import tqdm

from ..config import ScaleOptions
from ..errors import EngineError
from ..pipeline import release_free_memory
from .partition import BatchingExecutor, run_batch, run_worker_batch, warm_up

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
    """Runs maps on a process pool; small maps (under ``options.min_parallel`` items) run in this process."""

    options: ScaleOptions = field(default_factory=ScaleOptions)
    progress: bool = True
    preload: Sequence[str] = ()
    """Packages the fork server imports before forking workers (see the module docstring). The fork server is one
    per process: the first pool of a process starts it, and a later pool's ``preload`` adds nothing."""
    _pool: ProcessPoolExecutor | None = field(default=None, init=False, repr=False)

    @property
    def workers(self) -> int:
        return self.options.workers or default_workers()

    @property
    def started(self) -> bool:
        """Whether worker processes are running (a map too small to share out never starts them)."""
        return self._pool is not None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            if self.preload:  # after __main__, which the fork server imports by default
                context.set_forkserver_preload(["__main__", *self.preload])
            if self.options.nice and hasattr(os, "nice"):
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                                 initializer=os.nice, initargs=(self.options.nice,))
            else:
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return self._pool

    def start(self) -> None:
        """Start every worker now (otherwise the first large map does), e.g. before timing or serving."""
        pool = self._get_pool()
        for future in [pool.submit(warm_up) for _ in range(self.workers)]:
            future.result()

    def _run_batches(self, fn: Callable[[Any], Any], batches: list[list[Any]], desc: str) -> list[list[Any]]:
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
            pool = self._get_pool()
            futures: dict[Future[list[Any]], int] = {
                pool.submit(_run_shipped, key, shipped, path, batch): index for index, batch in enumerate(batches)
            }
            results: list[list[Any]] = [[] for _ in batches]
            total = sum(len(batch) for batch in batches)
            bar = tqdm(total=total, desc=desc, unit="item", disable=not self.progress, leave=False)
            try:
                for future in as_completed(futures):
                    index = futures[future]
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
            finally:
                bar.close()
        release_free_memory()  # the pickled batches and results, freed in the pool's threads' arenas
        return results

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
