"""A cap on request bodies: a client cannot make the server buffer more than ``web.max_request_bytes``.

Pure ASGI, so it sees the body before FastAPI parses it: a declared ``Content-Length`` over the cap is refused at
once, and a chunked body is counted as it arrives and refused the moment it passes the cap (413 either way).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["ECHO_CHARS", "RequestSizeLimit", "clip", "clipped"]

ECHO_CHARS = 200
"""The most characters of a client's own input an error answer repeats back."""


def clip(text: str, limit: int = ECHO_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was: an error names the input, it does not echo it."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def clipped(value: Any, limit: int = ECHO_CHARS, items: int = 20, depth: int = 4) -> Any:
    """``value`` (a validation error's ``input``, ``loc`` or ``ctx``) with every string clipped, at most ``items``
    entries per list or object and ``depth`` levels: a 10 MB field or a 60,000-item list answers in a few KB."""
    if isinstance(value, str):
        return clip(value, limit)
    if isinstance(value, (bytes, bytearray)):
        return clip(bytes(value).decode("utf-8", "replace"), limit)
    if isinstance(value, (list, tuple)):
        if depth <= 0:
            return f"[{len(value):,} items]"
        kept = [clipped(v, limit, items, depth - 1) for v in value[:items]]
        return kept + ([f"… ({len(value):,} items)"] if len(value) > items else [])
    if isinstance(value, dict):
        if depth <= 0:
            return f"{{{len(value):,} keys}}"
        out = {clip(str(k), limit): clipped(v, limit, items, depth - 1) for k, v in list(value.items())[:items]}
        if len(value) > items:
            out["…"] = f"{len(value):,} keys"
        return out
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return clip(str(value), limit)


class RequestSizeLimit:
    """ASGI middleware answering 413 to any HTTP request whose body is larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send, f"request body of {declared:,} bytes")
            return
        body = bytearray()
        more = True
        disconnected: Message | None = None
        while more:
            message = await receive()
            if message["type"] != "http.request":
                disconnected = message
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._refuse(send, f"request body over {self.max_bytes:,} bytes")
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if disconnected is not None:
                return disconnected
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send, what: str) -> None:
        detail = f"{what} is larger than the server accepts ({self.max_bytes:,} bytes, web.max_request_bytes); " \
                 "send fewer articles per request"
        payload = json.dumps({"detail": detail}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
