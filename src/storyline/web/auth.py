"""Who may do what: reading is open to loopback clients, writing (and reading from elsewhere) needs the token."""

from __future__ import annotations

import ipaddress
import secrets

from fastapi import HTTPException, Request

__all__ = ["is_loopback", "may_read", "require_reader", "require_writer"]

_TOKEN_COOKIE = "storyline_token"


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and the test client's 'testclient'."""
    if host in {"testclient", "localhost"}:
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _presented_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("token") or request.cookies.get(_TOKEN_COOKIE)


def _token_ok(request: Request, header_only: bool = False) -> bool:
    """Constant-time check of the presented token; ``header_only`` ignores ``?token=`` and the cookie."""
    expected: str = request.app.state.options.token
    if header_only:
        header = request.headers.get("authorization", "")
        presented = header[7:].strip() if header.lower().startswith("bearer ") else None
    else:
        presented = _presented_token(request)
    # Bytes, not str: compare_digest raises TypeError on non-ASCII str (a header byte like 0xE9 would be a 500).
    return bool(expected) and presented is not None and secrets.compare_digest(
        presented.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


def may_read(request: Request) -> bool:
    """Loopback clients read freely; others must present the token (Bearer header, ?token= or cookie)."""
    client = request.client.host if request.client else None
    return is_loopback(client) or _token_ok(request)


async def require_reader(request: Request) -> None:
    """Every request's check, ``may_read``, refusing with 401.

    A coroutine (it only compares strings): FastAPI runs a plain-function dependency in its thread pool, so every
    request, read or write, waited for a free thread once for this check and once more for its handler."""
    if may_read(request):
        return
    raise HTTPException(401, "reading from another host than loopback needs the token: "
                             "send 'Authorization: Bearer TOKEN' or add ?token=TOKEN")


async def require_writer(request: Request) -> None:
    """Writing needs the token from every client, loopback included (a coroutine, as ``require_reader``)."""
    if not request.app.state.options.token:
        raise HTTPException(403, "writing is disabled: start `storyline serve` with --token TOKEN "
                                 "(or set STORYLINE_WEB_TOKEN)")
    # The header only: a browser never adds it cross-site on its own (no CSRF through a cookie or a form's URL),
    # and the token stays out of URLs and access logs.
    if not _token_ok(request, header_only=True):
        raise HTTPException(401, "writing needs the token: send 'Authorization: Bearer TOKEN'")
