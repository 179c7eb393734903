"""The worker: drains the write jobs the web API accepted, in batches, through the one write path.

``POST /api/articles`` only validates and stores (``Store.jobs.submit``) and answers 202 at once; this worker, a
thread of ``storyline serve`` (``web.worker``) or its own process (``storyline worker --db URL``), groups the
pending articles ``live.batch_size`` at a time with ``add_articles`` while holding the store's writer lock; a batch
takes the oldest jobs' articles, several small jobs together. Each batch is one transaction, so a worker killed
mid-batch loses nothing: the batch's articles are still pending, their jobs are still marked running, and the next
worker (which finds them so while holding the lock) takes them up again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace

from ..config import Settings
from ..models import Article
from ..pipeline import Executor
from ..store import Store
from .live import GroupingError, add_articles

__all__ = ["WorkerThread", "drain", "run_worker"]


@dataclass(slots=True)
class Drained:
    """What one ``drain`` did: jobs finished (done or failed) and articles grouped."""

    jobs: int = 0
    failed: int = 0
    articles: int = 0


def drain(store: Store, settings: Settings, *, executor: Executor | None = None,
          stop: threading.Event | None = None, report: Callable[[dict], None] | None = None) -> Drained:
    """Group every pending job's articles, oldest job first, ``live.batch_size`` per transaction.

    A batch is filled across jobs: small jobs (a feeder posting 1-3 articles at a time) are grouped together, so
    the cost of a batch (the touched stories' summaries) is paid once for many jobs, not once per job. Each job in
    a batch is credited with that batch's save report; a batch that cannot be grouped fails every job in it."""
    done = Drained()
    if not store.jobs.has_work():
        return done
    size = settings.live.batch_size
    with store.writer(holder="worker", wait=settings.live.writer_wait), ExitStack() as stack:
        store.jobs.requeue_abandoned()  # we hold the lock: a job still "running" lost its worker
        if executor is None:
            from ..scale import open_executor

            executor = stack.enter_context(open_executor(settings.scale, progress=settings.progress))
        running: list[int] = []  # ids of the jobs started and not finished, oldest first
        while stop is None or not stop.is_set():
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
                try:
                    saved = add_articles(store, batch, settings, kind="worker", executor=executor)
                except GroupingError as exc:
                    error = str(exc)
                else:
                    for job_id in members:
                        store.jobs.progress(job_id, saved)
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


def run_worker(store: Store, settings: Settings, *, once: bool = False, stop: threading.Event | None = None,
               report: Callable[[dict], None] | None = None, executor: Executor | None = None) -> Drained:
    """Drain jobs as they come (every ``live.poll_seconds``); with ``once``, drain what is there and return.

    Without an ``executor`` each drain opens the one ``settings.scale`` names and stops it when the queue is empty."""
    stop = stop or threading.Event()
    total = Drained()
    while not stop.is_set():
        got = drain(store, settings, stop=stop, report=report, executor=executor)
        total.jobs, total.failed, total.articles = (total.jobs + got.jobs, total.failed + got.failed,
                                                    total.articles + got.articles)
        if once:
            break
        stop.wait(settings.live.poll_seconds)
    return total


SERVE_WORKER_NICE = 10
"""Niceness of ``storyline serve``'s grouping worker (its thread and processes): requests are served first."""


class WorkerThread:
    """``run_worker`` in a daemon thread of the web server; ``stop()`` ends it after the current batch.

    The thread shares the server's interpreter lock with the request threads, so it does no heavy work itself:
    every map of two or more items (the touched stories' summaries and comparisons above all) goes to the worker
    processes of ``settings.scale``, which start with the first batch and stay up (models loaded once) until the
    server stops; the thread and those processes run at ``SERVE_WORKER_NICE``, so a request is served before a batch
    is grouped."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.stop_event = threading.Event()
        self.error: str | None = None
        if settings.scale.engine == "process":
            scale = replace(settings.scale, min_parallel=1, nice=max(settings.scale.nice, SERVE_WORKER_NICE))
            settings = replace(settings, scale=scale)
        self._thread = threading.Thread(target=self._run, args=(store, settings), name="storyline-worker",
                                        daemon=True)

    def _run(self, store: Store, settings: Settings) -> None:
        from ..scale import open_executor

        if hasattr(os, "nice"):  # on Linux this lowers only this thread: the request threads keep their priority
            os.nice(SERVE_WORKER_NICE)

        with ExitStack() as stack:
            # the process pool starts with the first map big enough and then stays up (models loaded once); other
            # engines (a Dask cluster) are opened by each drain, only when there is work
            executor = (stack.enter_context(open_executor(settings.scale, progress=False))
                        if settings.scale.engine == "process" else None)
            while not self.stop_event.is_set():
                try:
                    run_worker(store, settings, stop=self.stop_event, executor=executor)
                except Exception as exc:  # e.g. the database went away: say so in /status and try again later
                    self.error = f"{type(exc).__name__}: {exc}"
                    self.stop_event.wait(max(5.0, settings.live.poll_seconds))
                else:
                    self.error = None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()
