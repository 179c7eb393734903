"""WARC and WARC.gz archives (FastWARC): every HTML response record becomes an article with its target URI.

Other records (requests, metadata, revisits, non-HTML or non-200 responses) are skipped and counted by reason,
one ``Rejected`` line per reason with its count. A truncated or corrupt archive keeps the records read before
the damage and reports where it stopped; a last record cut short is kept with ``meta["truncated"]``.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ...errors import InputError
from ...models import Article, Rejected
from ..base import ReadContext
from .html import extract_html, page_meta

_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xhtml")


def read_warc(data: bytes, ctx: ReadContext) -> Iterator[Article | Rejected]:
    """Articles from the HTML responses of a WARC file (already decompressed when it was gzipped)."""
    from fastwarc.warc import WarcRecordType

    if data[:4] in (b"\x04\x22\x4d\x18", b"\x28\xb5\x2f\xfd"):
        data = _decompress_stream(data, ctx)
    if data.lstrip()[:11] == b"filedesc://":
        yield Rejected(ctx.name, "ARC (pre-WARC) archives are not supported; convert to WARC first, "
                                 "e.g. `warcio recompress in.arc out.warc.gz`")
        return
    skipped: Counter[str] = Counter()
    read = articles = 0
    last_end = 0
    limit = ctx.options.max_records
    for item in _records(data, ctx.name):
        if isinstance(item, Rejected):
            yield item
            continue
        record, last_end = item
        read += 1
        if record.record_type != WarcRecordType.response:
            skipped[f"{_type_name(record.record_type)} record (not a response)"] += 1
            continue
        status = record.http_headers.status_code if record.is_http and record.http_headers else None
        if status is None:
            skipped["response without HTTP headers"] += 1
            continue
        if status != 200:
            skipped[f"HTTP {status} response"] += 1
            continue
        content_type = (record.http_content_type or "").split(";")[0].strip().lower()
        if content_type and content_type not in _HTML_TYPES:
            skipped[f"not HTML ({content_type})"] += 1
            continue
        if articles >= limit:
            skipped[f"over ingest.max_records={limit:,}"] += 1
            continue
        uri = (record.headers.get("WARC-Target-URI") or "").strip().strip("<>") or None
        body = record.reader.read(ctx.options.max_bytes + 1)
        where = f"{ctx.name} ({uri or 'record ' + str(read)})"
        if len(body) > ctx.options.max_bytes:
            yield Rejected(where, f"HTML payload over ingest.max_bytes={ctx.options.max_bytes:,}")
            continue
        if not body.strip():
            skipped["empty HTML response"] += 1
            continue
        try:
            page = extract_html(body, where, url=uri, declared=record.http_charset, options=ctx.options)
        except InputError as exc:
            yield Rejected(where, exc.reason)
            continue
        if page is None:
            yield Rejected(where, "no article text found in the HTML response")
            continue
        crawled = _utc(record.record_date)
        articles += 1
        yield ctx.article(
            id=uri or f"{ctx.default_id}#{read}",
            text=page.text,
            title=page.title,
            author=page.author,
            published=page.published or crawled,
            source=page.sitename,
            url=page.url or uri,
            language=page.language,
            meta={**page_meta(page), "warc": ctx.name,
                  "crawled": crawled.isoformat() if crawled else None,
                  "date_from": "page" if page.published else "warc",
                  **({"truncated": True} if last_end > len(data) else {})},
        )
    if last_end > len(data):
        yield Rejected(ctx.name, f"archive truncated: the last record declares {last_end - len(data):,} more "
                                 f"bytes than the file holds; kept the {articles} articles read before the cut")
    if read == 0:
        yield Rejected(ctx.name, "no WARC records found; pass WARC or WARC.gz files with --format warc")
    for reason, count in sorted(skipped.items()):
        yield Rejected(ctx.name, f"skipped {count} record{'s' if count > 1 else ''}: {reason}")


# A record starts with its version line at the start of a line: where reading resumes after a damaged record.
_WARC_HEADER = re.compile(rb"(?:^|(?<=\n))WARC/1\.[01]\r?\n")


def _records(data: bytes, name: str) -> Iterator[tuple[Any, int] | Rejected]:
    """Each well-formed record of ``data`` with the offset where it ends; a reject for each damaged stretch.

    A record whose Content-Length is not a number, or a header FastWARC cannot parse, would leave the reader
    lost inside the archive. Reading resumes at the next ``WARC/1.x`` line instead, and the skipped bytes are
    reported, so one bad record does not lose the records after it.
    """
    from fastwarc.warc import ArchiveIterator

    offset = 0
    while offset < len(data):
        iterator = ArchiveIterator(io.BytesIO(data[offset:]), parse_http=True, auto_decode="all",
                                   fsspec_args=False)
        damaged_at = offset  # where the last good record ends: the damage is after it
        try:
            for record in iterator:
                declared = (record.headers.get("Content-Length") or "").strip()
                if not declared.isdigit():
                    damaged_at = offset + record.stream_pos
                    reason = f"Content-Length {declared[:20]!r} is not a byte count"
                    break
                end = offset + _record_end(record)
                yield record, end
                damaged_at = end
            else:
                return
        except OSError as exc:
            reason = str(exc)
        resume = _WARC_HEADER.search(data, damaged_at + 1)
        stop = resume.start() if resume else len(data)
        yield Rejected(name, f"damaged WARC record at byte {damaged_at:,} ({reason}); skipped {stop - damaged_at:,} "
                             + ("bytes to the next WARC/1.x record" if resume else "bytes to the end of the archive"))
        offset = stop


def _decompress_stream(data: bytes, ctx: ReadContext) -> bytes:
    """LZ4 or Zstandard WARC bytes, decompressed within ``ingest.max_bytes`` (FastWARC's own stream readers)."""
    from fastwarc.stream_io import Lz4Reader, ZstdReader

    reader = (Lz4Reader if data[:4] == b"\x04\x22\x4d\x18" else ZstdReader)(io.BytesIO(data))
    try:
        out = reader.read(ctx.options.max_bytes + 1)
    except OSError as exc:
        raise InputError(ctx.name, f"corrupt compressed WARC ({exc})") from exc
    if len(out) > ctx.options.max_bytes:
        raise InputError(ctx.name, f"decompresses past ingest.max_bytes={ctx.options.max_bytes:,}")
    return out


def _record_end(record: object) -> int:
    """Where the record's bytes end in the stream: its offset, its WARC header block and its Content-Length."""
    headers = record.headers  # type: ignore[attr-defined]
    header_bytes = len(headers.status_line) + 4 + sum(len(k) + len(v) + 4 for k, v in headers.items())
    declared = headers.get("Content-Length") or ""
    length = int(declared) if declared.strip().isdigit() else record.content_length  # type: ignore[attr-defined]
    return record.stream_pos + header_bytes + length  # type: ignore[attr-defined]


def _type_name(record_type: object) -> str:
    return str(record_type).rsplit(".", 1)[-1]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


__all__ = ["read_warc"]
