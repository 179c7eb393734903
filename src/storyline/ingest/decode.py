"""Bytes to text: decompression with a bomb cap, binary detection and charset detection."""

from __future__ import annotations

import codecs
import gzip
import re
import zlib

from charset_normalizer import from_bytes

from ..errors import InputError


def gunzip_capped(data: bytes, name: str, max_bytes: int, max_ratio: int) -> bytes:
    """Decompress gzip ``data``; refuse output over ``max_bytes`` or ``max_ratio`` times the input, or a cut stream."""
    out, problem = gunzip_partial(data, name, max_bytes, max_ratio)
    if problem:
        raise InputError(name, problem)
    return out


def gunzip_partial(data: bytes, name: str, max_bytes: int, max_ratio: int) -> tuple[bytes, str | None]:
    """Decompress gzip ``data`` (all members) as far as it goes: the bytes and what cut them short, if anything.

    Raises ``InputError`` when the output passes ``max_bytes`` or ``max_ratio`` times the input (a gzip bomb):
    that is never a partial success.
    """
    limit = min(max_bytes, max(len(data), 1) * max_ratio)
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    chunk = data
    try:
        while chunk:
            out += decompressor.decompress(chunk, limit + 1 - len(out))
            if len(out) > limit:
                raise InputError(
                    name,
                    f"gzip expands past {limit:,} bytes (ratio cap {max_ratio}x, size cap {max_bytes:,})",
                    "raise ingest.max_bytes or ingest.max_decompression_ratio if the file is genuine",
                )
            chunk = decompressor.unconsumed_tail
            if decompressor.eof and decompressor.unused_data:
                # Concatenated gzip members (as in WARC.gz): continue with the next one.
                rest = decompressor.unused_data
                decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                chunk = rest
    except zlib.error as exc:
        if out:
            return bytes(out), f"truncated or corrupt gzip after {len(out):,} bytes ({exc})"
        raise InputError(name, f"not a valid gzip file ({exc})") from exc
    if not decompressor.eof:
        return bytes(out), f"truncated gzip: stream ends after {len(out):,} bytes"
    return bytes(out), None


def is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"


def looks_binary(data: bytes) -> bool:
    """True for data that is not text in any encoding (NUL bytes or mostly control bytes)."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with a byte order mark
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(sample) > 0.1


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})["']""", re.IGNORECASE)


def sniff_charset(data: bytes) -> str | None:
    """The charset a document declares about itself: an XML declaration or an HTML ``<meta>`` tag near the top."""
    head = data[:4096]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").strip().lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_from_content_type(value: str | None) -> str | None:
    """The ``charset=`` parameter of an HTTP Content-Type header, if it names a known codec."""
    if not value:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", value, re.IGNORECASE)
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1)).name
    except LookupError:
        return None


def _codec_name(charset: str) -> str | None:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def decode_text(data: bytes, name: str, declared: str | None = None) -> str:
    """Decode ``data`` as text: a byte order mark, strict UTF-8, the declared charset, then detection.

    ``declared`` is the HTTP header's charset; without one, a ``<meta>``/XML declaration in the bytes is used.
    Strict UTF-8 goes before any declaration because mis-declared pages are common and valid UTF-8 by accident
    is not. Never raises on undecodable bytes (they become U+FFFD); raises ``InputError`` for binary data.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if looks_binary(data):
        raise InputError(name, "binary data, not text", "pass text, JSONL, HTML, feed or WARC files")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for charset in (declared, sniff_charset(data)):
        if not charset or _codec_name(charset) in (None, "utf-8", "utf-16", "utf-32"):
            continue
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace")


__all__ = [
    "charset_from_content_type",
    "decode_text",
    "gunzip_capped",
    "gunzip_partial",
    "gzip",
    "is_gzip",
    "looks_binary",
    "sniff_charset",
]
