"""``POST /api/articles``' checks and inserts: one thread, and the posts waiting together share one commit.

A POST used to take one of two writer threads for its check and its own insert transaction. Under 100 clients the
inserts queued behind each other and the worker's write transactions, and a POST waited seconds for a free thread
(bench/load.py, issue 14). Here one thread takes every POST that waits when it is free (up to ``GROUP_LIMIT``),
checks each, and stores them in one transaction (``JobQueue.submit_many``), each under its own job: one turn of the
database's write lock and one commit for the group (a group commit). A group whose transaction fails is stored again
post by post, so one bad post fails alone.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from ..models import Article, Rejected
from ..store import SaveReport, Store

__all__ = ["GROUP_LIMIT", "PostWriter", "Written"]

GROUP_LIMIT = 64
"""Most posts stored in one transaction: a group's commit comes sooner than the posts after it would wait for."""

Check = Callable[[], tuple[list[Article], list[Rejected]]]


@dataclass(frozen=True)
class Written:
    """What a post became: its job (None when it asked not to be grouped), its articles, rejects and save report, and
    when its check began and ended and its transaction committed (``time.perf_counter``, for Server-Timing)."""

    job_id: int | None
    accepted: int
    rejected: list[Rejected]
    report: SaveReport
    started: float
    validated: float
    stored: float


@dataclass
class _Post:
    check: Check
    group: bool
    future: Future[Written]
    articles: list[Article] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    started: float = 0.0
    validated: float = 0.0


class PostWriter:
    """The app's writer thread (``app.state.writes``): ``submit`` a post's check, get a future of what it became."""

    def __init__(self, store: Store, group_limit: int = GROUP_LIMIT) -> None:
        self.store = store
        self.group_limit = group_limit
        self._queue: queue.SimpleQueue[_Post | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="storyline-write", daemon=True)
        self._thread.start()

    def submit(self, check: Check, group: bool = True) -> Future[Written]:
        """Queue a post: ``check()`` gives its articles and rejects (run on the writer thread); ``group`` stores them
        under a job the worker groups (else pending with no job, for ``POST /api/ingest``)."""
        post = _Post(check, group, Future())
        self._queue.put(post)
        return post.future

    def close(self) -> None:
        """Store what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            posts = [first]
            stop = False
            while len(posts) < self.group_limit:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                posts.append(more)
            self._write(posts)
            if stop:
                return

    def _write(self, posts: list[_Post]) -> None:
        checked: list[_Post] = []
        for post in posts:
            if not post.future.set_running_or_notify_cancel():
                continue
            post.started = time.perf_counter()
            try:
                post.articles, post.rejected = post.check()
            except Exception as exc:  # handed to the request that posted it
                post.future.set_exception(exc)
                continue
            post.validated = time.perf_counter()
            checked.append(post)
        grouped = [p for p in checked if p.group]
        if len(grouped) > 1:
            try:
                saved = self.store.jobs.submit_many([(p.articles, p.rejected) for p in grouped])
            except Exception:  # each post is stored again alone below: one bad post fails alone
                saved = None
            if saved is not None:
                stored = time.perf_counter()
                for post, (job, report) in zip(grouped, saved, strict=True):
                    post.future.set_result(Written(job, len(post.articles), post.rejected, report,
                                                   post.started, post.validated, stored))
                checked = [p for p in checked if not p.group]
        for post in checked:
            try:
                job_id, report = self._store_one(post)
            except Exception as exc:  # handed to the request that posted it
                post.future.set_exception(exc)
                continue
            post.future.set_result(Written(job_id, len(post.articles), post.rejected, report,
                                           post.started, post.validated, time.perf_counter()))

    def _store_one(self, post: _Post) -> tuple[int | None, SaveReport]:
        if post.group:
            return self.store.jobs.submit(post.articles, post.rejected)
        return None, self.store.save_articles(post.articles, post.rejected, kind="api")
