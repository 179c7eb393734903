"""HTML pages: main article text (see ``extract.py``) plus title, author, date, site name, URL and language."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from ...config import IngestOptions
from ...errors import InputError
from ...models import Article, Rejected
from ..base import ReadContext, parse_datetime
from ..decode import decode
from ..extract import NestedTooDeep, extract_main_text
from ..language import detect_language


@dataclass(slots=True)
class ExtractedPage:
    """What one HTML page gives: its main text and metadata; ``method`` names the extractor that won."""

    text: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    sitename: str | None = None
    url: str | None = None
    language: str | None = None
    method: str = "trafilatura-recall"
    replaced_bytes: int = 0
    """Undecodable bytes of the page that became U+FFFD (see ``decode.decode``)."""
    charset_guessed: str | None = None
    """The charset charset-normalizer chose when nothing declared one and the bytes were not UTF-8."""


def extract_html(
    data: bytes | str,
    name: str,
    url: str | None = None,
    declared: str | None = None,
    options: IngestOptions | None = None,
) -> ExtractedPage | None:
    """The main text and metadata of an HTML page, or ``None`` when the page has no article text.

    ``declared`` is the charset from an HTTP header; raises ``InputError`` for binary data or markup the
    extractors cannot parse.
    """
    options = options or IngestOptions()
    decoded = None if isinstance(data, str) else decode(data, name, declared)
    html = data if isinstance(data, str) else decoded.text  # type: ignore[union-attr]
    try:
        found = extract_main_text(html, url, options)
    except NestedTooDeep as exc:
        raise InputError(name, str(exc), "flatten the page's markup") from exc
    except Exception as exc:  # a third-party parser bug on hostile markup (e.g. an <iframe> root): reject the page
        raise InputError(name, f"HTML extraction failed ({type(exc).__name__}: {exc})"[:300]) from exc
    if found is None:
        return None
    language = detect_language(found.text, hint=found.html_language) if options.detect_language else None
    return ExtractedPage(
        text=found.text,
        title=found.title,
        author=found.author,
        published=parse_datetime(found.date) if found.date else None,
        sitename=found.sitename,
        url=found.url or url,
        language=language,
        method=found.method,
        replaced_bytes=decoded.replaced_bytes if decoded else 0,
        charset_guessed=decoded.encoding if decoded and decoded.guessed else None,
    )


def page_meta(page: ExtractedPage) -> dict[str, object]:
    """The ``Article.meta`` every reader of HTML records: the extractor that won and any replaced bytes."""
    meta: dict[str, object] = {"extractor": page.method}
    if page.replaced_bytes:
        meta["replaced_bytes"] = page.replaced_bytes
    if page.charset_guessed:
        meta["charset_guessed"] = page.charset_guessed
    return meta


def read_html(data: bytes, ctx: ReadContext) -> Iterator[Article | Rejected]:
    """One article from an HTML page; a page without article text is rejected."""
    page = extract_html(data, ctx.name, url=ctx.url, declared=ctx.declared_charset, options=ctx.options)
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
        meta=page_meta(page),
    )
