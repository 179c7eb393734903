"""Rendered pages and API answers kept as bytes until the store changes, and served from the event loop.

An answer is valid exactly as long as nothing was saved since it was made: no stale page, no time-based expiry.
Its tag is the store's generation (``Store.generation``: it changes with every save) or, for answers that no save of
new articles alone can change (stories, storylines, a stored article's page), ``Store.story_generation``: those
outlast a busy feed's posts (a POST that only adds new articles is in no story until the worker groups it).

``ServeCached`` (an ASGI middleware) answers a GET whose rendered bytes are kept without a thread: it awaits the
store's generations read *after the request arrived* (``Generations``: one read on a thread of its own, shared by
every request waiting at that moment), and sends the kept status, headers and body when the tag still matches
(304 when the client's ``If-None-Match`` names the ETag). Otherwise the request goes on to its endpoint, which renders
on the read threads (``web.threads``) as before; an endpoint makes its answer keepable with ``cached(request,
stories=...)``, and the middleware keeps the bytes it sends. Before, a repeat request waited for a read thread to
query the generation and then again for FastAPI to check the answer against its model (bench/load.py, issue 14).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import QueryParams

from ..store import Store

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["Generations", "ResponseCache", "ServeCached", "Tag", "cache_key", "cached"]

_STATE = "storyline.cache"
"""The key in ``scope["state"]`` of what the middleware read (``_Seen``) and what the endpoint tagged (``Tag``)."""


@dataclass(frozen=True, slots=True)
class Tag:
    """What an answer was made at: ``stories`` (tagged with ``story_generation``, else ``generation``) and the value."""

    stories: bool
    generation: object


@dataclass(frozen=True, slots=True)
class Kept:
    """A rendered answer: its tag, status, headers (without a Content-Length: it is set when sent) and body."""

    tag: Tag
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes


def cache_key(scope: Scope) -> str:
    """Path and query, the query's parameters sorted: ``/api/stories?limit=5&offset=0`` and its reverse are one."""
    items = QueryParams(scope.get("query_string", b"")).multi_items()
    return scope["path"] + "?" + "&".join(sorted(f"{k}={v}" for k, v in items))


class ResponseCache:
    """At most ``size`` rendered answers keyed by ``cache_key``, least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, Kept] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Kept | None:
        with self._lock:
            return self._entries.get(key)

    def hit(self, key: str) -> None:
        with self._lock:
            self.hits += 1
            if key in self._entries:
                self._entries.move_to_end(key)

    def put(self, key: str, kept: Kept) -> None:
        with self._lock:
            self.misses += 1
            self._entries[key] = kept
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class Generations:
    """The store's two generations, each read begun after the requests that wait for it arrived.

    One read runs at a time, on a thread of its own (not the read threads: a repeat request never waits behind a
    render). Requests that arrive while it runs share the next read, so 100 requests at once cost two reads, not
    100, and each still sees every save committed before it arrived."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyline-generation")
        self._next: asyncio.Future[tuple[object, object]] | None = None
        self._running = False

    def fresh(self) -> asyncio.Future[tuple[object, object]]:
        """A future of ``(generation, story_generation)`` read from a read that starts after this call."""
        future = self._next
        if future is None:
            future = self._next = asyncio.get_running_loop().create_future()
            if not self._running:
                self._start()
        return future

    def _start(self) -> None:
        future, self._next = self._next, None
        assert future is not None
        self._running = True
        read = asyncio.get_running_loop().run_in_executor(self._thread, self.store.generations)

        def done(read: asyncio.Future[Any]) -> None:
            self._running = False
            if read.cancelled():
                future.cancel()
            elif (error := read.exception()) is not None:
                future.set_exception(error)
            else:
                future.set_result(read.result())
            if self._next is not None:
                self._start()

        read.add_done_callback(done)

    def close(self) -> None:
        self._thread.shutdown(wait=True)


@dataclass(slots=True)
class _Seen:
    """What ``ServeCached`` read for a request it passed on: the generations (the endpoint tags with them)."""

    generations: tuple[object, object]


def cached(request: Request, make: Callable[[], Any], stories: bool = False) -> Response:
    """``make()`` as a response, kept (by ``ServeCached``) until the store's generation changes; ``stories``: an
    answer that no save of new articles alone changes (stories, storylines, a stored article), tagged with
    ``Store.story_generation`` instead, so it outlasts the posts of a busy feed.

    What ``make`` returns that is not a response already (an API answer) is encoded as JSON here, on the endpoint's
    thread: FastAPI would encode it on the event loop, where every other request waits. The tag is read before
    ``make()`` runs: a save that lands meanwhile makes the answer stale at once, never the other way round."""
    if request.app.state.cache is not None:
        state = request.scope.setdefault("state", {})
        seen = state.get(_STATE)
        generations = seen.generations if isinstance(seen, _Seen) else request.app.state.store.generations()
        state[_STATE] = Tag(stories, generations[1] if stories else generations[0])
    made = make()
    return made if isinstance(made, Response) else JSONResponse(jsonable_encoder(made))


class ServeCached:
    """ASGI middleware: a GET whose answer is kept and current is answered here; others go on, and what an
    endpoint tagged with ``cached`` is kept as it is sent. ``may_read(scope)`` says whether the client may read
    (the app's ``require_reader``): a client that may not is passed on to be refused."""

    def __init__(self, app: ASGIApp, cache: ResponseCache, generations: Generations,
                 may_read: Callable[[Scope], bool]) -> None:
        self.app = app
        self.cache = cache
        self.generations = generations
        self.may_read = may_read
        self._making: dict[str, asyncio.Future[Kept | None]] = {}
        """The answers being made now, by key: a request for one waits for it instead of making it again."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        key = cache_key(scope)
        if (key in self._making or self.cache.get(key) is not None) and self.may_read(scope):
            # shielded: a client that leaves does not cancel the read the others wait for
            generations = await asyncio.shield(self.generations.fresh())
            kept = self.cache.get(key)  # again: another request may have kept a newer answer meanwhile
            if not _current(kept, generations) and (making := self._making.get(key)) is not None:
                kept = await asyncio.shield(making)  # the same answer, being made now: wait for it
            if kept is not None and _current(kept, generations):
                self.cache.hit(key)
                await self._send(kept, scope, send)
                return
            scope.setdefault("state", {})[_STATE] = _Seen(generations)
        made: asyncio.Future[Kept | None] | None = None
        if key not in self._making:
            made = self._making[key] = asyncio.get_running_loop().create_future()
        try:
            await self.app(scope, receive, self._keeping(key, scope, send, made))
        finally:
            if made is not None:
                del self._making[key]
                if not made.done():
                    made.set_result(None)

    def _keeping(self, key: str, scope: Scope, send: Send, made: asyncio.Future[Kept | None] | None) -> Send:
        """``send``, keeping the answer when its endpoint tagged it (``cached``) and it is a 200 (and handing it to
        the requests that wait for it, ``made``)."""
        start: Message | None = None
        body = bytearray()

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                tag = scope.get("state", {}).get(_STATE)
                if message["status"] == 200 and isinstance(tag, Tag):
                    start = message  # held until the body is whole: its ETag goes in the headers
                    return
            elif start is not None and message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if message.get("more_body", False):
                    return
                tag = scope["state"][_STATE]
                headers = tuple((k, v) for k, v in start.get("headers", ()) if k.lower() not in (b"content-length",
                                                                                                b"etag"))
                kept = Kept(tag, start["status"], headers, bytes(body), _etag(body))
                self.cache.put(key, kept)
                if made is not None and not made.done():
                    made.set_result(kept)
                await self._send(kept, scope, send)
                return
            await send(message)

        return keep

    @staticmethod
    async def _send(kept: Kept, scope: Scope, send: Send) -> None:
        """The kept answer, or 304 Not Modified when the client already holds it (``If-None-Match``)."""
        if _client_has(scope, kept.etag):
            headers = [(b"etag", kept.etag), *((k, v) for k, v in kept.headers if k.lower() == b"cache-control")]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [*kept.headers, (b"etag", kept.etag), (b"content-length", str(len(kept.body)).encode())]
        await send({"type": "http.response.start", "status": kept.status, "headers": headers})
        await send({"type": "http.response.body", "body": kept.body})


def _current(kept: Kept | None, generations: tuple[object, object]) -> bool:
    """Whether ``kept`` was made at these generations (its tag's kind of them)."""
    return kept is not None and kept.tag.generation == generations[1 if kept.tag.stories else 0]


def _etag(body: bytes | bytearray) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'


def _client_has(scope: Scope, etag: bytes) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"if-none-match":
            return value.strip() == b"*" or etag in (v.strip().removeprefix(b"W/") for v in value.split(b","))
    return False
