"""One writer at a time per store: a PostgreSQL advisory lock, or an exclusive ``flock`` beside the SQLite file.

Every path that groups articles into stories (``digest --db``, ``watch``, the worker, ``regroup``) takes it for the
whole load-cluster-save cycle, so two of them never load the same clustering state and save two diverging ones.
Both locks die with their holder (the server ends the session; the kernel drops the ``flock``), so a ``kill -9``
never leaves a store locked. The lock is re-entrant within one thread.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from ..errors import StoreError

if TYPE_CHECKING:
    from .repository import Store

__all__ = ["WriterBusy", "writer_lock"]

ADVISORY_KEY = 0x5707_11E0
"""The PostgreSQL advisory lock key of storyline's writer (one per database)."""
HOLDER_KEY = "writer:holder"
POLL_SECONDS = 0.25


class WriterBusy(StoreError):
    """Another writer holds the store and this one was not allowed to wait (long enough)."""


_local = threading.local()


def _depth(store: Store) -> dict[int, int]:
    if not hasattr(_local, "depth"):
        _local.depth = {}
    return _local.depth


@contextmanager
def writer_lock(store: Store, *, holder: str, wait: float | None = None,
                on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the store's writer lock for the block.

    ``wait``: seconds to wait for another writer (None: as long as it takes; 0: not at all). ``on_wait`` is called
    once, with a description of the writer that holds the lock, when this one has to wait. ``WriterBusy`` when the
    wait runs out.
    """
    depth = _depth(store)
    key = id(store)
    if depth.get(key):
        depth[key] += 1
        try:
            yield
        finally:
            depth[key] -= 1
        return
    acquire, release = _postgres(store) if store.dialect == "postgresql" else _sqlite(store)
    started = time.monotonic()
    told = False
    try:
        while not acquire():
            who = _holder(store)
            if wait is not None and time.monotonic() - started >= wait:
                raise WriterBusy(f"another writer is working on this store ({who}); try again when it is done, "
                                 "or let this command wait for it (live.writer_wait)")
            if on_wait is not None and not told:
                on_wait(who)
                told = True
            time.sleep(POLL_SECONDS)
    except BaseException:
        with contextlib.suppress(Exception):
            release()  # closes the connection or file; unlocking a lock not held is a no-op
        raise
    depth[key] = 1
    try:
        store.put_blob(HOLDER_KEY, json.dumps({"holder": holder, "pid": os.getpid(),
                                               "since": datetime.now(UTC).isoformat(timespec="seconds")}).encode())
        yield
    finally:
        depth[key] = 0
        release()


def _holder(store: Store) -> str:
    raw = store.get_blob(HOLDER_KEY)
    try:
        info = json.loads(raw) if raw else {}
    except ValueError:
        info = {}
    if not info:
        return "a writer"
    return f"{info.get('holder', 'a writer')}, pid {info.get('pid')}, since {info.get('since')}"


def _postgres(store: Store) -> tuple[Callable[[], bool], Callable[[], None]]:
    connection: Any = None

    def acquire() -> bool:
        nonlocal connection
        connection = connection or store.engine.connect()
        got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar())
        connection.commit()
        return got

    def release() -> None:
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            connection.commit()
        finally:
            connection.close()

    return acquire, release


def _sqlite(store: Store) -> tuple[Callable[[], bool], Callable[[], None]]:
    import fcntl

    database = store.engine.url.database
    if not database or database == ":memory:":
        lock = threading.Lock()  # an in-memory store lives in this process only
        return (lambda: lock.acquire(blocking=False)), lock.release
    path = database + ".writer.lock"
    handle = open(path, "a+b")  # noqa: SIM115 - kept open while the lock is held

    def acquire() -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def release() -> None:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()

    return acquire, release
