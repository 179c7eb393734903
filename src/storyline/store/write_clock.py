"""How long this process's write transactions hold the database's write lock (``Store.write_clock``).

A write transaction holds the lock from its first write statement (SQLite takes its one write lock there; PostgreSQL
its row locks) until its commit or rollback has finished; every other writer of the store (a ``POST
/api/articles`` insert on SQLite) may wait that long. The worker reports the holds of each batch with its jobs
(``saved.batches``), and ``bench/load.py`` prints them beside the POST's own wait for the lock.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

__all__ = ["WriteClock"]

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_KEY = "storyline_write_began"


class WriteClock:
    """Counts the write transactions of one engine and keeps the latest ``keep`` holds (seconds)."""

    def __init__(self, engine: Engine, keep: int = 10_000) -> None:
        self.holds: deque[float] = deque(maxlen=keep)
        self.count = 0
        """Write transactions finished so far (``holds_since`` takes a mark from it)."""
        self._local = threading.local()
        event.listen(engine, "before_cursor_execute", self._on_execute)
        event.listen(engine, "commit", self._on_end)
        event.listen(engine, "rollback", self._on_end)

    def _on_execute(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _KEY not in conn.info and statement.lstrip()[:7].upper().startswith(_WRITES):
            conn.info[_KEY] = time.perf_counter()

    def _on_end(self, conn: Any) -> None:
        # before the commit itself: the hold is closed by ``finished`` once it is done (same thread)
        began = conn.info.pop(_KEY, None)
        if began is not None:
            self._local.began = began

    def finished(self) -> None:
        """Called by ``Store.session`` after its commit or rollback: records the hold of that transaction."""
        began = getattr(self._local, "began", None)
        if began is not None:
            self._local.began = None
            self.holds.append(time.perf_counter() - began)
            self.count += 1

    def holds_since(self, mark: int) -> list[float]:
        """The holds recorded after ``mark`` (an earlier ``count``), oldest first."""
        recent = self.count - mark
        return list(self.holds)[-recent:] if recent > 0 else []
