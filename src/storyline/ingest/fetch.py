"""A polite HTTP fetcher (httpx): robots.txt, a per-host delay, timeouts, retries with backoff on 429/5xx,
a redirect cap, a body-size cap (decompressed bytes), a conditional-GET cache (ETag/Last-Modified), a clear
User-Agent and an SSRF guard (``ssrf.py``: no internal addresses unless allowed). Every failure raises
``FetchError`` naming the URL and the reason; ``counts`` tallies outcomes.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from ..config import FetchOptions
from ..errors import InputError
from .decode import charset_from_content_type
from .ssrf import ALLOW_HINT, AddressGuard, RefusedAddress, Resolver, UnresolvedHost, install

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class FetchError(InputError):
    """A URL could not be fetched; ``reason`` says why (robots, status, size, network)."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response body and what is needed to read it."""

    url: str
    final_url: str
    status: int
    body: bytes
    content_type: str | None
    from_cache: bool = False

    @property
    def charset(self) -> str | None:
        return charset_from_content_type(self.content_type)


class Fetcher:
    """Fetches URLs politely; one instance per run, shared by every reader (thread-safe per-host pacing)."""

    def __init__(self, options: FetchOptions | None = None, transport: httpx.BaseTransport | None = None,
                 resolve: Resolver | None = None) -> None:
        self.options = options or FetchOptions()
        self.counts: Counter[str] = Counter()
        self.guard = AddressGuard.from_options(self.options, resolve)
        if transport is None:
            transport = httpx.HTTPTransport()
            install(transport, self.guard)  # checks the address each connection is actually opened to
        self._client = httpx.Client(
            headers={"User-Agent": self.options.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(self.options.timeout),
            follow_redirects=True,
            max_redirects=self.options.max_redirects,
            transport=transport,
            event_hooks={"request": [self._check_request]},  # every hop, proxied ones included
        )
        self._robots: dict[str, RobotFileParser | None] = {}
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self._fetched = 0
        cache = self.options.cache_dir or str(Path.home() / ".cache" / "storyline" / "http")
        self._cache = Path(cache)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def count(self, outcome: str) -> None:
        with self._lock:
            self.counts[outcome] += 1

    # -- public --------------------------------------------------------------------------------------------------
    def get(self, url: str) -> Fetched:
        """The body at ``url``; raises ``FetchError`` for disallowed, failed, oversized or non-HTTP URLs."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(url, "not an http(s) URL", "give absolute http:// or https:// URLs")
        self._check_host(url, parts.hostname, parts.port)
        with self._lock:
            if self._fetched >= self.options.max_urls:
                raise FetchError(url, f"over fetch.max_urls={self.options.max_urls:,}", "raise fetch.max_urls")
            self._fetched += 1
        if self.options.respect_robots and not self._allowed(url):
            self.count("disallowed by robots.txt")
            raise FetchError(url, "disallowed by robots.txt", "set fetch.respect_robots=false only for your own sites")
        cached = self._cache_load(url)
        headers = {}
        if cached:
            if cached.get("etag"):
                headers["If-None-Match"] = cached["etag"]
            if cached.get("last_modified"):
                headers["If-Modified-Since"] = cached["last_modified"]
        response_url, status, body, content_type, response_headers = self._request(url, headers)
        if status == 304 and cached:
            self.count("not modified (cache)")
            body_path = self._cache_path(url).with_suffix(".body")
            return Fetched(url, cached.get("final_url", url), 200, body_path.read_bytes(), cached.get("content_type"),
                           from_cache=True)
        if status >= 400:
            self.count(f"HTTP {status}")
            raise FetchError(url, f"HTTP {status}")
        self.count("fetched")
        self._cache_store(url, response_url, body, content_type, response_headers)
        return Fetched(url, response_url, status, body, content_type)

    # -- SSRF guard ----------------------------------------------------------------------------------------------
    def _check_host(self, url: str, host: str, port: int | None) -> None:
        """Refuse ``url`` (counted) if its host resolves to an address the guard does not allow."""
        if self.guard.allow_private:
            return
        try:
            self.guard.vetted(host, port or 80)
        except UnresolvedHost as exc:
            self.count("host name not resolved")
            raise FetchError(url, exc.reason) from exc
        except RefusedAddress as exc:
            raise self._refused(url, exc) from exc

    def _check_request(self, request: httpx.Request) -> None:
        """httpx request hook: the name-level check for every hop (redirects, requests through a proxy)."""
        if not self.guard.allow_private:
            with contextlib.suppress(UnresolvedHost):  # the connection reports it as a network error (retried)
                self.guard.vetted(request.url.host, request.url.port or 80)

    def _refused(self, url: str, exc: RefusedAddress) -> FetchError:
        self.count("refused: non-public address")
        return FetchError(url, f"refused by the SSRF guard: {exc.reason}", ALLOW_HINT)

    # -- requests ------------------------------------------------------------------------------------------------
    def _request(self, url: str, headers: dict[str, str]) -> tuple[str, int, bytes, str | None, httpx.Headers]:
        attempt = 0
        while True:
            self._pace(url)
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    if response.status_code in RETRY_STATUS and attempt < self.options.retries:
                        wait = self._backoff(attempt, response.headers.get("Retry-After"))
                        self.count(f"retried after HTTP {response.status_code}")
                    else:
                        body = self._read_capped(url, response)
                        return (str(response.url), response.status_code, body, response.headers.get("Content-Type"),
                                response.headers)
            except RefusedAddress as exc:  # a redirect (or a rebound DNS answer) to a non-public address
                raise self._refused(url, exc) from exc
            except httpx.InvalidURL as exc:
                self.count("invalid URL")
                raise FetchError(url, f"invalid URL: {exc}") from exc
            except httpx.TooManyRedirects as exc:
                self.count("too many redirects")
                raise FetchError(url, f"more than {self.options.max_redirects} redirects",
                                 "raise fetch.max_redirects") from exc
            except httpx.TransportError as exc:
                if attempt >= self.options.retries:
                    self.count("network error")
                    raise FetchError(url, f"network error after {attempt + 1} attempts: {exc!r}") from exc
                wait = self._backoff(attempt, None)
                self.count("retried after network error")
            attempt += 1
            time.sleep(wait)

    def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        limit = self.options.max_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            self.count("body over size cap")
            raise FetchError(url, f"body of {int(declared):,} bytes over fetch.max_bytes={limit:,}")
        out = bytearray()
        for chunk in response.iter_bytes():
            out += chunk
            if len(out) > limit:
                self.count("body over size cap")
                raise FetchError(url, f"body over fetch.max_bytes={limit:,} (after decompression)",
                                 "raise fetch.max_bytes if the page is genuine")
        return bytes(out)

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        wait = self.options.backoff * (2**attempt)
        if retry_after:
            if retry_after.strip().isdigit():
                wait = float(retry_after)
            else:
                parsed = email.utils.parsedate_to_datetime(retry_after) if retry_after else None
                if parsed is not None:
                    wait = parsed.timestamp() - time.time()
        return max(0.0, min(wait, self.options.max_backoff))

    def _pace(self, url: str) -> None:
        host = urlsplit(url).netloc
        delay = self.options.host_delay
        robots = self._robots.get(host)
        if robots is not None:
            crawl_delay = robots.crawl_delay(self.options.user_agent)
            if crawl_delay:
                delay = max(delay, float(crawl_delay))
        with self._lock:
            now = time.monotonic()
            ready = self._last.get(host, now - delay - 1) + delay
            self._last[host] = max(now, ready)
        if ready > now:
            time.sleep(ready - now)

    # -- robots.txt ----------------------------------------------------------------------------------------------
    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = parts.netloc
        if host not in self._robots:
            robots_url = f"{parts.scheme}://{host}/robots.txt"
            parser: RobotFileParser | None = RobotFileParser(robots_url)
            try:
                self._pace(robots_url)
                response = self._client.get(robots_url)
            except (httpx.HTTPError, RefusedAddress):
                parser = None  # unreachable robots.txt: allowed, as for a missing one
                self.count("robots.txt unreachable")
            else:
                if response.status_code in (401, 403):
                    parser.disallow_all = True  # type: ignore[union-attr]
                elif response.status_code >= 400:
                    parser = None
                else:
                    parser.parse(response.text.splitlines())  # type: ignore[union-attr]
            self._robots[host] = parser
        robots = self._robots[host]
        return robots is None or robots.can_fetch(self.options.user_agent, url)

    # -- conditional-GET cache -----------------------------------------------------------------------------------
    def _cache_path(self, url: str) -> Path:
        return self._cache / hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]

    def _cache_load(self, url: str) -> dict[str, str] | None:
        meta = self._cache_path(url).with_suffix(".json")
        if not meta.is_file() or not meta.with_suffix(".body").is_file():
            return None
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.count("cache entry unreadable")
            return None
        return data if isinstance(data, dict) else None

    def _cache_store(self, url: str, final_url: str, body: bytes, content_type: str | None,
                     headers: httpx.Headers) -> None:
        etag, modified = headers.get("ETag"), headers.get("Last-Modified")
        if not etag and not modified:
            return
        path = self._cache_path(url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.with_suffix(".body").write_bytes(body)
            meta = {"url": url, "final_url": final_url, "etag": etag, "last_modified": modified,
                    "content_type": content_type}
            path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
        except OSError:
            self.count("cache write failed")


__all__ = ["FetchError", "Fetched", "Fetcher"]
