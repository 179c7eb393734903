"""Rendered pages and API answers kept until the store changes: a repeat request costs one tiny query.

The store's generation is the id of its latest run (every save adds one), so an entry is valid exactly as long as
nothing was saved since it was made: no stale page, no time-based expiry. Answers about stories and storylines only
are tagged with the latest save that could change a story (``Store.story_generation``: a POST that only adds new
articles does not), so they outlast a busy feed's posts. Entries live in this process (LRU).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request

T = TypeVar("T")

__all__ = ["ResponseCache", "cached"]


class ResponseCache:
    """At most ``size`` answers keyed by path and query, each tagged with the store generation it was made at."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[object, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_make(self, key: str, generation: object, make: Callable[[], T]) -> T:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == generation:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]  # type: ignore[no-any-return,unused-ignore]
        value = make()
        with self._lock:
            self.misses += 1
            self._entries[key] = (generation, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value


def cached(request: Request, make: Callable[[], T], stories: bool = False) -> T:
    """``make()``, or the answer it gave for the same path and query since the store last changed; ``stories``:
    an answer about stories or storylines only, kept across posts that only add new articles
    (``Store.story_generation``)."""
    cache: ResponseCache | None = request.app.state.cache
    if cache is None:
        return make()
    key = request.url.path + "?" + "&".join(sorted(f"{k}={v}" for k, v in request.query_params.multi_items()))
    store = request.app.state.store
    return cache.get_or_make(key, store.story_generation() if stories else store.generation(), make)
