"""Bytes to text: decompression with a bomb cap, binary detection and charset detection."""

from __future__ import annotations

import codecs
import gzip
import zlib

from charset_normalizer import from_bytes

from ..errors import InputError
from .base import without_surrogates


def gunzip_capped(data: bytes, name: str, max_bytes: int, max_ratio: int) -> bytes:
    """Decompress gzip ``data``; refuse output over ``max_bytes`` or ``max_ratio`` times the input."""
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
                # Concatenated gzip members: continue with the next one.
                rest = decompressor.unused_data
                decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                chunk = rest
    except zlib.error as exc:
        if out:
            raise InputError(name, f"truncated or corrupt gzip after {len(out):,} bytes ({exc})") from exc
        raise InputError(name, f"not a valid gzip file ({exc})") from exc
    if not decompressor.eof:
        raise InputError(name, f"truncated gzip: stream ends after {len(out):,} bytes")
    return bytes(out)


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


# Codecs a page may declare but no news page is written in: escape codecs turn "\\x3c" into "<", UTF-7 is an old
# XSS vector, punycode/idna are for host names. A declaration naming one is ignored.
_NEVER_DECLARED = {"unicode_escape", "raw_unicode_escape", "punycode", "idna", "utf_7", "undefined"}


def codecs_name(label: str) -> str:
    """Python's canonical codec name for a charset label, or the label itself when unknown."""
    try:
        return codecs.lookup(label).name.replace("-", "_")
    except (LookupError, TypeError, ValueError):
        return label


def decode_text(data: bytes, name: str, declared: str | None = None) -> str:
    """Decode ``data`` as text: the declared charset if it decodes cleanly, UTF-8, then detection.

    Never raises on undecodable bytes (they become U+FFFD); raises ``InputError`` for binary data. The result
    always encodes as UTF-8: lone surrogates (which UTF-7 or escape codecs can produce) become U+FFFD too.
    """
    return without_surrogates(_decode(data, name, declared))


def _decode(data: bytes, name: str, declared: str | None) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if looks_binary(data):
        raise InputError(name, "binary data, not text", "pass text, JSONL, HTML, feed or WARC files")
    if declared and codecs_name(declared) not in _NEVER_DECLARED:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeError):  # unknown or not a text codec ("hex"), or it fails ("punycode")
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace")


__all__ = ["decode_text", "gunzip_capped", "gzip", "is_gzip", "looks_binary"]
