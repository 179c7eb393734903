"""URL inputs and URL-list files: with ``fetch.enabled`` each URL is fetched and read by the reader its content
needs (HTML page, feed, ...); without it each list is one reject that says to pass ``--fetch``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...config import IngestOptions
from ...errors import InputError
from ...models import Article, Rejected
from ..base import ReadContext
from ..detect import detect_format, get_reader, parse_url_list

if TYPE_CHECKING:
    from ..fetch import Fetcher
    from .html import ExtractedPage


def is_url(text: str) -> bool:
    return bool(re.match(r"https?://", text, re.IGNORECASE))


def fetch_bytes(fetcher: Fetcher, url: str) -> tuple[bytes, str | None] | Rejected:
    """The body and declared charset at ``url``, or a reject with the fetch error."""
    from ..fetch import FetchError

    try:
        got = fetcher.get(url)
    except FetchError as exc:
        return Rejected(url, exc.reason if not exc.hint else f"{exc.reason}; {exc.hint}")
    return got.body, got.charset


def fetch_article(fetcher: Fetcher, url: str, options: IngestOptions) -> ExtractedPage | Rejected:
    """The extracted HTML page at ``url``, or a reject saying why not."""
    from .html import extract_html

    got = fetch_bytes(fetcher, url)
    if isinstance(got, Rejected):
        return got
    body, charset = got
    try:
        page = extract_html(body, url, url=url, declared=charset, options=options)
    except InputError as exc:
        return Rejected(url, exc.reason)
    if page is None:
        return Rejected(url, "no article text found in the fetched page")
    return page


def read_url(url: str, ctx: ReadContext) -> Iterator[Article | Rejected]:
    """Fetch ``url`` and read it with the reader its content calls for."""
    if ctx.fetcher is None:
        yield Rejected(url, "a URL; pass --fetch to download it")
        return
    got = fetch_bytes(ctx.fetcher, url)
    if isinstance(got, Rejected):
        yield got
        return
    body, charset = got
    if not body.strip():
        yield Rejected(url, "empty response body")
        return
    fmt = detect_format(body, url.split("?", 1)[0])
    if fmt in ("text", "urls"):
        fmt = "html" if b"<" in body[:4096] else "text"
    sub = ReadContext(name=url, default_id=url, options=ctx.options, url=url, declared_charset=charset,
                      fetcher=ctx.fetcher)
    yield from get_reader(fmt)(body, sub)


def read_urls(data: bytes, ctx: ReadContext) -> Iterator[Article | Rejected]:
    """Every page of a URL list (with ``fetch.enabled``); otherwise one reject naming the count."""
    from ..decode import decode_text

    urls = parse_url_list(decode_text(data, ctx.name))
    if urls is None:
        yield Rejected(ctx.name, "not a URL list: every non-blank line must be one http(s) URL ('#' for comments)")
        return
    if ctx.fetcher is None:
        yield Rejected(ctx.name, f"URL list of {len(urls)} URLs; pass --fetch to download them")
        return
    for url in dict.fromkeys(urls):
        yield from read_url(url, ctx)


__all__ = ["fetch_article", "fetch_bytes", "is_url", "read_url", "read_urls"]
