"""The FastAPI application: HTML pages at ``/``, the JSON API (with OpenAPI docs) under ``/api/``, Atom feeds."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from urllib.parse import quote, unquote

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from .._version import __version__
from ..config import Settings
from ..errors import NotFoundError
from ..store import Store
from .auth import may_read, require_reader
from .cache import Generations, ResponseCache, ServeCached
from .docs import mount_docs
from .limits import RequestSizeLimit, clip, clipped
from .writes import PostWriter

__all__ = ["create_app"]

_SECURITY_HEADERS = {
    # Nothing from an article can run: no inline script, no foreign origin (article texts are escaped too).
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


_ERRORS_SHOWN = 20

_MERGED = re.compile(r"^(/api)?/stories/([^/]+)(/.*)?$")


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    """The web app over ``store``; ``settings.web`` holds the token, page size and polling interval.

    With ``web.worker`` (the default) the app runs the worker that groups posted articles (``service/worker.py``)
    as a child process while it is served (started and stopped with the app's lifespan)."""
    from .api import router as api_router
    from .atom import router as feed_router
    from .pages import router as page_router

    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the reads' thread pool (sync endpoints): see WebOptions.threads
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web.threads
        if settings.web.token and settings.ingest.detect_language:
            # a POST detects the language of its articles: load the detector beside start-up, not in a request
            from ..ingest.language import load_language_model

            threading.Thread(target=load_language_model, name="storyline-language-model", daemon=True).start()
        if settings.web.worker:
            from ..service.worker import WorkerProcess

            app.state.worker = WorkerProcess(store, settings)
            app.state.worker.start()
        try:
            yield
        finally:
            app.state.writes.close()
            app.state.generations.close()
            if app.state.worker is not None:
                app.state.worker.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="storyline",
        version=__version__,
        description="Stories built from news articles, with cited summaries. Reading is open on loopback; "
                    "writing needs `Authorization: Bearer TOKEN`.",
        docs_url=None,  # FastAPI's page loads Swagger UI from a CDN with an inline script: see docs.py
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(require_reader)],
    )
    app.state.store = store
    app.state.worker = None
    # POST /api/articles checks and inserts on this thread, apart from the pool the reads share (web/writes.py)
    app.state.writes = PostWriter(store)
    app.state.settings = settings
    app.state.options = settings.web
    app.state.cache = ResponseCache(settings.web.cache_size) if settings.web.cache_size > 0 else None
    # a kept answer is checked against the store's generations read on this thread, not the read threads (cache.py)
    app.state.generations = Generations(store)
    static = resources.files("storyline.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    mount_docs(app, app.openapi_url or "/api/openapi.json", app.title)
    app.include_router(api_router)
    app.include_router(feed_router)
    app.include_router(page_router)

    # Added before the headers middleware so that it runs inside it: a 413 carries the security headers too.
    app.add_middleware(RequestSizeLimit, max_bytes=settings.web.max_request_bytes)
    if app.state.cache is not None:
        # kept answers go out from the event loop, before the body limit and the router (cache.py)
        app.add_middleware(ServeCached, cache=app.state.cache, generations=app.state.generations,
                           may_read=lambda scope: may_read(Request(scope)))

    app.add_middleware(SecurityHeaders)  # the outermost: every answer of the layers inside carries the headers

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            # Starlette names only the first route of the path (GET /api/articles, not its POST): name them all
            exc.headers = {**(exc.headers or {}), "Allow": _allowed_methods(app, request)}
        if request.url.path.startswith("/api/") or exc.status_code in (401, 403):
            return await http_exception_handler(request, exc)
        from .pages import render_error

        return render_error(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own answer repeats each bad value whole (a 10 MB field comes back as 10 MB): clip them.
        # Each error stays an object of the declared shape ({loc, msg, type}); past 20, one entry says how many more.
        found = list(exc.errors())
        shown = [clipped(error, depth=5) for error in found[:_ERRORS_SHOWN]]
        if len(found) > _ERRORS_SHOWN:
            shown.append({"loc": ["request"], "msg": f"... and {len(found) - _ERRORS_SHOWN:,} more errors",
                          "type": "more_errors"})
        return JSONResponse({"detail": jsonable_encoder(shown)}, status_code=422)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        what = clip(str(exc.args[0]) if exc.args else request.url.path)
        merged = _MERGED.match(request.url.path)
        if merged and (into := store.merged_into(unquote(merged.group(2)))) is not None:
            return _redirect_merged(request, merged, into)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": f"not found: {what}"}, status_code=404)
        from .pages import render_not_found

        return render_not_found(request, what)

    return app


class SecurityHeaders:
    """ASGI middleware: the security headers on every answer, and a 400 for a URL with a NUL in it. Pure ASGI (a
    ``BaseHTTPMiddleware`` costs every request a task and two streams; a kept answer costs less than that)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["arrived"] = time.perf_counter()  # a write's Server-Timing counts from here

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in _SECURITY_HEADERS.items():
                    headers.setdefault(key, value)
            await send(message)

        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            # nothing stored can contain NUL (PostgreSQL refuses it): answer before any query is made
            refused = JSONResponse({"detail": "the URL contains a NUL character (%00); remove it"}, status_code=400)
            await refused(scope, receive, with_headers)
            return
        await self.app(scope, receive, with_headers)


def _allowed_methods(app: FastAPI, request: Request) -> str:
    """The methods some route of this path answers, for the ``Allow`` header of a 405 (RFC 9110)."""
    methods: set[str] = set()
    scope = {**request.scope, "method": "GET"}
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def _redirect_merged(request: Request, merged: re.Match[str], into: str) -> Response:
    """301 from a story merged away (or a page of it) to the same page of the story it went into."""
    api, old, rest = merged.group(1) or "", unquote(merged.group(2)), merged.group(3) or ""
    target = f"{api}/stories/{quote(into, safe='')}{rest}"
    if request.url.query:
        target += "?" + request.url.query
    if api:
        body = {"detail": f"story {old!r} was merged into {into!r}", "id": old, "merged_into": into,
                "location": target}
        return JSONResponse(body, status_code=301, headers={"location": target})
    return RedirectResponse(target, status_code=301)
