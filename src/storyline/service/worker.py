"""The worker: drains the write jobs the web API accepted, in batches, through the one write path.

``POST /api/articles`` only validates and stores (``Store.jobs.submit``) and answers 202 at once; this worker, a
thread of ``storyline serve`` (``web.worker``) or its own process (``storyline worker --db URL``), groups the
pending articles in batches (``live.batch_size``, up to ``live.max_batch_size`` when more wait) with
``add_articles`` while holding the store's writer lock; a batch takes the oldest jobs' articles, several small jobs
together. Each batch is one transaction, so a worker killed
mid-batch loses nothing: the batch's articles are still pending, their jobs are still marked running, and the next
worker (which finds them so while holding the lock) takes them up again.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ..config import Settings
from ..models import Article
from ..pipeline import Executor, model_packages
from ..store import SaveReport, Store
from .live import GroupingError, add_articles

__all__ = ["WorkerProcess", "drain", "run_worker"]


class StopSignal(Protocol):
    """What tells a worker to stop (a ``threading.Event``, or the worker process's own signal)."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float) -> bool: ...


@dataclass(slots=True)
class Drained:
    """What one ``drain`` did: jobs finished (done or failed) and articles grouped."""

    jobs: int = 0
    failed: int = 0
    articles: int = 0


def drain(store: Store, settings: Settings, *, executor: Executor | None = None,
          stop: StopSignal | None = None, report: Callable[[dict], None] | None = None) -> Drained:
    """Group every pending job's articles, oldest job first, one transaction per batch (``batch_size``).

    A batch is filled across jobs: small jobs (a feeder posting 1-3 articles at a time) are grouped together, so
    the cost of a batch (the touched stories' summaries) is paid once for many jobs, not once per job. Each job in
    a batch is credited with that batch's save report; a batch that cannot be grouped fails every job in it."""
    done = Drained()
    if not store.jobs.has_work():
        return done
    live = settings.live
    with store.writer(holder="worker", wait=settings.live.writer_wait), ExitStack() as stack:
        store.jobs.requeue_abandoned()  # we hold the lock: a job still "running" lost its worker
        if executor is None:
            from ..scale import open_executor

            executor = stack.enter_context(open_executor(settings.scale, progress=settings.progress,
                                                         preload=model_packages(settings)))
        running: list[int] = []  # ids of the jobs started and not finished, oldest first
        while stop is None or not stop.is_set():
            size = batch_size(store.jobs.waiting(), live.batch_size, live.max_batch_size)
            batch: list[Article] = []
            members: list[int] = []  # the jobs with articles in this batch
            for job_id in running:
                taken = store.jobs.next_batch(job_id, size - len(batch)) if len(batch) < size else []
                batch += taken
                members += [job_id] if taken else []
            while len(batch) < size and (job := store.jobs.start_next()) is not None:
                running.append(job["id"])
                taken = store.jobs.next_batch(job["id"], size - len(batch))
                batch += taken
                members += [job["id"]] if taken else []
            error = None
            if batch:
                began, mark = time.perf_counter(), store.write_clock.count
                try:
                    saved = add_articles(store, batch, settings, kind="worker", executor=executor)
                except GroupingError as exc:
                    error = str(exc)
                else:
                    timing = batch_timing(saved, len(batch), time.perf_counter() - began,
                                          store.write_clock.holds_since(mark))
                    for job_id in members:
                        store.jobs.progress(job_id, saved, timing)
                    done.articles += len(batch)
            failed = members if error is not None else []
            finished = [job_id for job_id in running if job_id in failed or store.jobs.progress(job_id) == 0]
            for job_id in finished:
                store.jobs.finish(job_id, error=error if job_id in failed else None)
                done.jobs += 1
                done.failed += job_id in failed
                if report is not None:
                    report(store.jobs.get(job_id))
            running = [job_id for job_id in running if job_id not in finished]
            if not batch and not running:
                break
    return done


def batch_size(waiting: int, smallest: int, largest: int) -> int:
    """How many articles the next batch takes: ``live.batch_size`` while few wait, all that wait up to
    ``live.max_batch_size`` when more do (a batch costs mostly the stories it touches, which articles share)."""
    return max(smallest, min(waiting, largest))


def batch_timing(saved: SaveReport, articles: int, seconds: float, holds: list[float]) -> dict[str, Any]:
    """What one batch took, kept with its jobs (``saved.batches`` of ``GET /api/jobs/{id}``): its run, articles,
    wall seconds, and how long its write transactions held the database's write lock (the longest, the sum)."""
    return {"run_id": saved.run_id, "articles": articles, "seconds": round(seconds, 3),
            "write_lock_max": round(max(holds, default=0.0), 4), "write_lock_total": round(sum(holds), 4),
            "write_transactions": len(holds)}


def run_worker(store: Store, settings: Settings, *, once: bool = False, stop: StopSignal | None = None,
               report: Callable[[dict], None] | None = None, executor: Executor | None = None) -> Drained:
    """Drain jobs as they come (every ``live.poll_seconds``); with ``once``, drain what is there and return.

    Without an ``executor`` it opens the one ``settings.scale`` names once, for the whole run (its processes start
    with the first batch big enough to share out): they keep their loaded models and kept model outputs from one
    drain to the next, where a pool per drain started cold after every quiet spell."""
    stop = stop or threading.Event()
    total = Drained()
    with ExitStack() as stack:
        if executor is None:
            from ..scale import open_executor

            executor = stack.enter_context(open_executor(settings.scale, progress=settings.progress,
                                                         preload=model_packages(settings)))
        while not stop.is_set():
            got = drain(store, settings, stop=stop, report=report, executor=executor)
            total.jobs, total.failed, total.articles = (total.jobs + got.jobs, total.failed + got.failed,
                                                        total.articles + got.articles)
            if once:
                break
            stop.wait(settings.live.poll_seconds)
    return total


SERVE_WORKER_NICE = 10
"""Niceness of ``storyline serve``'s grouping worker (its process and its pool): requests are served first."""


class WorkerProcess:
    """``run_worker`` in a child process of the web server, at ``SERVE_WORKER_NICE``; ``stop()`` ends it after the
    current batch.

    A process, not a thread of the server: a thread shares the server's interpreter lock, so every request waited
    for the worker's Python code (clustering, state, saving) between its own steps, and a niced thread holding the
    lock made it worse (bench/load.py measured POST p99 15-17 s that way). The child opens its own connections to the
    store and, with the ``process`` engine, keeps a pool
    (models loaded once) up between batches; both run niced, so the kernel serves requests first. The child stops by
    itself when the server dies (it checks its parent every poll)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        import multiprocessing

        if settings.scale.engine == "process":
            settings = replace(settings, scale=replace(settings.scale, min_parallel=1))
        context = multiprocessing.get_context("spawn")  # the server runs threads: never fork it
        self.stop_event = context.Event()
        self._errors = context.Queue()
        self._error: str | None = None
        url = store.engine.url.render_as_string(hide_password=False)
        # not a daemon: with the process engine the child starts a pool of its own
        self._process = context.Process(target=_worker_main, name="storyline-worker",
                                        args=(url, settings, self.stop_event, self._errors, os.getpid()))

    def start(self) -> None:
        self._process.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the worker to stop after its current batch; kill it when it has not within ``timeout`` (nothing is
        lost: an unfinished batch is rolled back and done again by the next worker)."""
        self.stop_event.set()
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        self._errors.close()

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def error(self) -> str | None:
        """The last error the worker reported (None after a drain that went well)."""
        import queue

        while True:
            try:
                self._error = self._errors.get_nowait()
            except (queue.Empty, ValueError, OSError):
                return self._error


def _worker_main(url: str, settings: Settings, stop: Any, errors: Any, parent: int) -> None:
    """The worker process: drain jobs until ``stop`` is set or the server (``parent``) is gone."""
    from ..scale import open_executor

    if hasattr(os, "nice"):
        os.nice(SERVE_WORKER_NICE)  # the pool's processes inherit it
    poll = settings.live.poll_seconds

    class Stop:  # run_worker's stop event: set when the server asks, or when it died (we were re-parented)
        def is_set(self) -> bool:
            return bool(stop.is_set()) or os.getppid() != parent

        def wait(self, seconds: float) -> bool:
            stop.wait(min(seconds, poll))
            return self.is_set()

    ended = Stop()
    store = Store.open(url)
    try:
        with ExitStack() as stack:
            # the pool stays up between batches, its workers forked with the model packages imported (as digest's)
            executor = (stack.enter_context(open_executor(settings.scale, progress=False,
                                                          preload=model_packages(settings)))
                        if settings.scale.engine == "process" else None)
            while not ended.is_set():
                try:
                    run_worker(store, settings, stop=ended, executor=executor)
                except Exception as exc:  # e.g. the database went away: say so in /status and try again later
                    errors.put(f"{type(exc).__name__}: {exc}")
                    ended.wait(max(5.0, poll))
                else:
                    errors.put(None)
    finally:
        store.close()
