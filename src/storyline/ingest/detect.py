"""Pick the reader for an input by its content first, its name second."""

from __future__ import annotations

import importlib
import json
import re
from functools import cache

from ..errors import ConfigError
from .base import Reader

_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<div[\s>]|<p[\s>]", re.IGNORECASE)
_FEED = re.compile(rb"<rss[\s>]|<feed[\s>]|<rdf:RDF[\s>]|<opml[\s>]", re.IGNORECASE)

_URL_LINE = re.compile(r"^\s*https?://\S+\s*$")


def parse_url_list(text: str) -> list[str] | None:
    """The URLs of a URL list (one a line; blank and ``#`` lines ignored), or ``None`` if any other line exists."""
    urls = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not _URL_LINE.match(stripped):
            return None
        urls.append(stripped)
    return urls or None


_READERS: dict[str, tuple[str, str]] = {
    "text": (".readers.text", "read_text"),
    "jsonl": (".readers.jsonl", "read_jsonl"),
    "html": (".readers.html", "read_html"),
    "urls": (".readers.urls", "read_urls"),
    "feed": (".readers.feeds", "read_feed"),  # needs storyline[feeds]
    "warc": (".readers.warc", "read_warc"),  # needs storyline[warc]
}
"""Reader name -> (module, function). A reader's module is imported only when a file needs it, so a digest of
text or JSONL never loads the HTML extractors (lxml, trafilatura) or the feed and WARC parsers."""


@cache
def _load(name: str) -> Reader | None:
    """The named reader, or ``None`` when its optional dependency is not installed."""
    module, function = _READERS[name]
    try:
        reader: Reader = getattr(importlib.import_module(module, __package__), function)
    except ImportError:
        if name in ("feed", "warc"):
            return None
        raise
    return reader


def reader_available(name: str) -> bool:
    """Whether ``name`` is a reader that can run here (its optional dependency, if any, is installed)."""
    return name in _READERS and _load(name) is not None


def reader_names() -> list[str]:
    """The readers that can run here (imports every reader: for listings and messages, not per file)."""
    return [name for name in sorted(_READERS) if reader_available(name)]


def get_reader(name: str) -> Reader:
    reader = _load(name) if name in _READERS else None
    if reader is None:
        raise ConfigError(f"unknown format {name!r}; choose one of: auto, {', '.join(reader_names())}")
    return reader


HTML_SUFFIXES = (".html", ".htm", ".xhtml")
"""File names that say HTML page (before an optional ``.gz``)."""


def detect_format(data: bytes, name: str) -> str:
    """The reader name for ``data`` (already decompressed), judged by content, then by file name."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = name.lower().removesuffix(".gz")
    if head.startswith((b"WARC/", b"filedesc://")):
        return "warc"
    if data[:4] in (b"\x04\x22\x4d\x18", b"\x28\xb5\x2f\xfd") and ".warc." in name.lower():
        return "warc"  # LZ4 / Zstandard WARC: FastWARC reads them as streams
    if head.startswith(b"{"):
        first_line = head.split(b"\n", 1)[0]
        try:
            record = json.loads(first_line)
        except (ValueError, RecursionError):  # not one JSON object, or nested too deeply to judge
            record = None
        if isinstance(record, dict) and ("version" in record and "items" in record):
            return "feed"  # JSON Feed
        if b"jsonfeed.org/version" in data[:4096]:
            return "feed"  # pretty-printed JSON Feed
        if isinstance(record, dict) or lower.endswith((".jsonl", ".ndjson")):
            return "jsonl"
        if lower.endswith(".json") and b'"items"' in data[:65536]:
            return "feed"
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if head.startswith(b"<"):
        if _FEED.search(data[:4096]):
            return "feed"
        if _HTML.search(data[:65536]):
            return "html"
        if head.startswith(b"<?xml"):
            return "feed"
    if lower.endswith(HTML_SUFFIXES):
        return "html"
    if lower.endswith((".rss", ".atom", ".xml", ".opml")):
        return "feed"
    if lower.endswith((".warc",)):
        return "warc"
    if _looks_like_url_list(data):
        return "urls"
    return "text"


def _looks_like_url_list(data: bytes) -> bool:
    if len(data) > 5_000_000:
        return False
    return parse_url_list(data[:200_000].decode("utf-8", "replace")) is not None
