"""HTML pages: main article text and metadata via trafilatura."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from ..errors import InputError
from ..models import Article, Rejected
from .base import ReadContext, parse_datetime
from .decode import decode_text


@dataclass(slots=True)
class ExtractedPage:
    text: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    sitename: str | None = None
    url: str | None = None
    language: str | None = None


def extract_html(data: bytes, name: str, url: str | None = None, declared: str | None = None) -> ExtractedPage | None:
    """The main text and metadata of an HTML page, or ``None`` when the page has no article text.

    Raises ``InputError`` for binary data or markup the extractor cannot parse.
    """
    import trafilatura

    html = decode_text(data, name, declared)
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_recall=True)
    except Exception as exc:  # a third-party parser bug on hostile markup (e.g. an <iframe> root): reject the page
        raise InputError(name, f"HTML extraction failed ({type(exc).__name__}: {exc})"[:300]) from exc
    if doc is None or not (doc.text or "").strip():
        return None
    return ExtractedPage(
        text=doc.text,
        title=doc.title,
        author=doc.author,
        published=parse_datetime(doc.date) if doc.date else None,
        sitename=doc.sitename,
        url=doc.url or url,
        language=doc.language,
    )


def read_html(data: bytes, ctx: ReadContext) -> Iterator[Article | Rejected]:
    page = extract_html(data, ctx.name, url=ctx.url, declared=ctx.declared_charset)
    if page is None:
        yield Rejected(ctx.name, "no article text found in the HTML page")
        return
    yield ctx.article(
        id=ctx.default_id,
        text=page.text,
        title=page.title,
        author=page.author,
        published=page.published,
        source=page.sitename,
        url=page.url,
        language=page.language,
    )
