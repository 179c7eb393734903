"""Pick the reader for an input by its content first, its name second."""

from __future__ import annotations

import json
import re

from ..errors import ConfigError
from .base import Reader

_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<div[\s>]|<p[\s>]", re.IGNORECASE)
_FEED = re.compile(rb"<rss[\s>]|<feed[\s>]|<rdf:RDF[\s>]|<opml[\s>]", re.IGNORECASE)


def _readers() -> dict[str, Reader]:
    from .html import read_html
    from .jsonl import read_jsonl
    from .text import read_text
    from .urls import read_urls

    readers: dict[str, Reader] = {"text": read_text, "jsonl": read_jsonl, "html": read_html, "urls": read_urls}
    try:
        from .feeds import read_feed

        readers["feed"] = read_feed
    except ImportError:
        pass
    try:
        from .warc import read_warc

        readers["warc"] = read_warc
    except ImportError:
        pass
    return readers


def reader_names() -> list[str]:
    return sorted(_readers())


def get_reader(name: str) -> Reader:
    readers = _readers()
    if name not in readers:
        raise ConfigError(f"unknown format {name!r}; choose one of: auto, {', '.join(sorted(readers))}")
    return readers[name]


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
        except ValueError:
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
    if lower.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if lower.endswith((".rss", ".atom", ".xml", ".opml")):
        return "feed"
    if lower.endswith((".warc",)):
        return "warc"
    if _looks_like_url_list(data):
        return "urls"
    return "text"


def _looks_like_url_list(data: bytes) -> bool:
    from .urls import parse_url_list

    if len(data) > 5_000_000:
        return False
    return parse_url_list(data[:200_000].decode("utf-8", "replace")) is not None
