"""RSS 0.9x/1.0/2.0, Atom and JSON Feed (feedparser), and OPML lists of feeds.

Each entry becomes an article: its full content when the entry has it, else its summary; with
``fetch.enabled`` a teaser is replaced by the text of the linked page. Entry dates and authors are kept.
XML that declares entities is refused before parsing (billion laughs); an empty feed is a reject, not a crash.
"""

from __future__ import annotations

import calendar
import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ...errors import InputError
from ...models import Article, Rejected
from ..base import ReadContext, parse_datetime
from ..decode import decode
from ..extract import fragment_text
from ..language import detect_language, normalize_language
from .urls import fetch_article, fetch_bytes

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w:.-]*)")
TEASER_CHARS = 600
"""An entry whose text is shorter than this and that links a page counts as a teaser (fetched with --fetch)."""


def refuse_entities(data: bytes, name: str) -> Rejected | None:
    """A reject for XML whose prolog declares entities (the billion-laughs vector), else ``None``."""
    root = _ROOT.search(data, 0, 65536)
    prolog = data[: root.start()] if root else data[:65536]
    if _ENTITY_DECL.search(prolog):
        return Rejected(name, "XML declares entities (<!ENTITY>); refused to prevent entity expansion (billion laughs)")
    return None


def root_element(data: bytes) -> str:
    match = _ROOT.search(data, 0, 65536)
    return match.group(1).decode("ascii", "replace") if match else "none"


def read_feed(data: bytes, ctx: ReadContext) -> Iterator[Article | Rejected]:
    """Articles from an RSS, Atom, JSON Feed or OPML document."""
    refused = refuse_entities(data, ctx.name)
    if refused:
        yield refused
        return
    if root_element(data).lower() == "opml":
        yield from read_opml(data, ctx)
        return
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        yield from read_json_feed(data, ctx)
        return
    import feedparser

    charset = f"; charset={ctx.declared_charset}" if ctx.declared_charset else ""
    headers = {"content-type": "application/xml" + charset}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=False)
    if not parsed.get("version") and not parsed.entries:
        yield Rejected(ctx.name, _not_a_feed(data, parsed))
        return
    if not parsed.entries:
        yield Rejected(ctx.name, "feed has no entries")
        return
    feed = parsed.feed
    source = _clean(feed.get("title")) or None
    language = feed.get("language")
    limit = ctx.options.max_records
    for number, entry in enumerate(parsed.entries, start=1):
        if number > limit:
            yield Rejected(ctx.name, f"{len(parsed.entries) - limit:,} entries over ingest.max_records={limit:,}")
            return
        yield from _entry_article(entry, number, ctx, source, language)


def read_json_feed(data: bytes, ctx: ReadContext) -> Iterator[Article | Rejected]:
    """Articles from a JSON Feed 1.0/1.1 document (https://jsonfeed.org/version/1.1)."""
    decoded = decode(data, ctx.name)
    try:
        feed = json.loads(decoded.text)
    except ValueError as exc:
        yield Rejected(ctx.name, f"not a JSON Feed: invalid JSON ({exc})")
        return
    if not isinstance(feed, dict) or "jsonfeed.org" not in str(feed.get("version", "")):
        yield Rejected(ctx.name, "not a JSON Feed: no 'version' naming jsonfeed.org; pass JSONL with --format jsonl")
        return
    items = feed.get("items")
    if not isinstance(items, list) or not items:
        yield Rejected(ctx.name, "feed has no entries")
        return
    source = _clean(feed.get("title")) or None
    replaced = decoded.replaced_bytes  # the file's count, carried by its first article
    for number, item in enumerate(items, start=1):
        if number > ctx.options.max_records:
            yield Rejected(ctx.name, f"{len(items) - ctx.options.max_records:,} entries over ingest.max_records")
            return
        if not isinstance(item, dict):
            yield Rejected(f"{ctx.name} entry {number}", f"expected a JSON object, got {type(item).__name__}")
            continue
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        names = [str(a["name"]) for a in authors if isinstance(a, dict) and a.get("name")]
        entry = {
            "id": str(item["id"]) if item.get("id") is not None else None,
            "link": item.get("url") or item.get("external_url"),
            "title": item.get("title"),
            "author": ", ".join(names) or None,
            "content": [{"value": item["content_html"], "type": "text/html"}] if item.get("content_html") else [],
            "summary": item.get("content_text") or item.get("summary"),
            "summary_detail": {"type": "text/plain"},
            "published": parse_datetime(item.get("date_published") or item.get("date_modified")),
        }
        for found in _entry_article(entry, number, ctx, source, item.get("language") or feed.get("language")):
            if isinstance(found, Article):
                if replaced:
                    found.meta["replaced_bytes"] = found.meta.get("replaced_bytes", 0) + replaced
                    replaced = 0
                if decoded.guessed:
                    found.meta["charset_guessed"] = decoded.encoding
            yield found


def _not_a_feed(data: bytes, parsed: Any) -> str:
    return (f"not RSS, Atom or JSON Feed (root element <{root_element(data)}>); "
            "pass HTML files with --format html")


def _entry_article(entry: Any, number: int, ctx: ReadContext, source: str | None,
                   language: str | None) -> Iterator[Article | Rejected]:
    link = entry.get("link") or None
    guid = entry.get("id") or None
    if guid and re.match(r"https?://", guid):
        article_id = guid
    elif link:
        article_id = link
    elif guid:
        article_id = f"{ctx.default_id}#{guid}"
    else:
        article_id = f"{ctx.default_id}#{number}"
    where = f"{ctx.name} entry {number}"
    text = _entry_text(entry)
    title = _clean(entry.get("title")) or None
    meta: dict[str, Any] = {"feed": ctx.name}
    published = _entry_date(entry)
    author = _clean(entry.get("author")) or None
    if link and len(text) < TEASER_CHARS:
        if ctx.fetcher is not None:
            page = fetch_article(ctx.fetcher, link, ctx.options)
            if isinstance(page, Rejected):
                meta["fetch_error"] = page.reason
                ctx.fetcher.count("teaser kept: " + page.reason.split(":")[0])
            elif len(page.text) > len(text):
                text = page.text
                meta["fetched"] = True
                if page.replaced_bytes:
                    meta["replaced_bytes"] = page.replaced_bytes
                if page.charset_guessed:
                    meta["charset_guessed"] = page.charset_guessed
                title = title or page.title
                author = author or page.author
                published = published or page.published
        else:
            meta["teaser"] = True
    if not text.strip():
        yield Rejected(where, "entry has no content, summary or fetchable link text")
        return
    lang = detect_language(text, hint=language) if ctx.options.detect_language else normalize_language(language)
    yield ctx.article(id=article_id, text=text, title=title, author=author, published=published, url=link,
                      source=source, language=lang, meta=meta)


def _entry_text(entry: Any) -> str:
    """The longest of the entry's content blocks, else its summary, as plain text."""
    blocks = [(c.get("value") or "", c.get("type") or "") for c in entry.get("content") or []]
    if entry.get("summary"):
        detail = entry.get("summary_detail") or {}
        blocks.append((entry["summary"], detail.get("type") or "text/html"))
    best = ""
    for value, kind in blocks:
        text = fragment_text(value) if "html" in kind or "<" in value else _clean(value)
        if len(text) > len(best):
            best = text
    return best.strip()


def _entry_date(entry: Any) -> datetime | None:
    if isinstance(entry.get("published"), datetime):
        return entry["published"]
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _clean(value: str | None) -> str:
    return " ".join(html.unescape(value or "").split())


def opml_feed_urls(data: bytes, name: str) -> list[str]:
    """The feed URLs (``xmlUrl`` of every outline, each once) of an OPML subscription list; ``InputError`` says
    why there are none (not XML, not OPML, no outline with an ``xmlUrl``)."""
    from lxml import etree

    refused = refuse_entities(data, name)
    if refused:
        raise InputError(name, refused.reason)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(name, f"invalid OPML ({exc})", "export your subscriptions as OPML") from exc
    if root is None:
        raise InputError(name, "invalid OPML (no root element)", "export your subscriptions as OPML")
    tag = etree.QName(root).localname if isinstance(root.tag, str) else str(root.tag)
    if tag.lower() != "opml":
        raise InputError(name, f"not OPML (root element <{tag}>)", "pass an .opml subscription list")
    urls = [o.get("xmlUrl").strip() for o in root.iter("outline") if (o.get("xmlUrl") or "").strip()]
    if not urls:
        raise InputError(name, "OPML lists no feeds (no outline with xmlUrl)")
    return list(dict.fromkeys(urls))


def read_opml(data: bytes, ctx: ReadContext) -> Iterator[Article | Rejected]:
    """The entries of every feed an OPML file lists (with ``fetch.enabled``), else one reject naming the count."""
    try:
        urls = opml_feed_urls(data, ctx.name)
    except InputError as exc:
        yield Rejected(ctx.name, exc.reason)
        return
    if ctx.fetcher is None:
        yield Rejected(ctx.name, f"OPML lists {len(urls)} feeds; pass --fetch to download and read them")
        return
    for url in urls:
        got = fetch_bytes(ctx.fetcher, url)
        if isinstance(got, Rejected):
            yield got
            continue
        body, charset = got
        sub = ReadContext(name=url, default_id=url, options=ctx.options, url=url, declared_charset=charset,
                          fetcher=ctx.fetcher)
        yield from read_feed(body, sub)


__all__ = ["opml_feed_urls", "read_feed", "read_opml", "refuse_entities"]
