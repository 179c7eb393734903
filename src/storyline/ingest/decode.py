"""Bytes to text: decompression with a bomb cap, binary detection and charset detection."""

from __future__ import annotations

import codecs
import gzip
import re
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from charset_normalizer import from_bytes

from ..errors import InputError
from .base import without_surrogates


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


# Codecs a page may declare but no news page is written in: escape codecs turn "\\x3c" into "<", UTF-7 is an old
# XSS vector, punycode/idna are for host names. A declaration naming one (or a non-text codec like "hex") is ignored.
_NEVER_DECLARED = {"unicode_escape", "raw_unicode_escape", "punycode", "idna", "utf_7", "undefined"}


def _codec_name(charset: str) -> str | None:
    """Python's name of a declared charset, or ``None`` when unknown, not a text codec, or never honoured."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, TypeError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name.replace("-", "_") in _NEVER_DECLARED:
        return None
    return info.name


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text, the codec that decoded it and how many undecodable bytes became U+FFFD."""

    text: str
    encoding: str
    replaced_bytes: int = 0
    guessed: bool = False
    """True when nothing declared the charset and the bytes were not UTF-8: charset-normalizer chose ``encoding``."""


def decode(data: bytes, name: str, declared: str | None = None) -> Decoded:
    """Decode ``data`` as text: a byte order mark, UTF-8 (strict, or nearly valid), a declared charset, detection.

    Detection (``Decoded.guessed``) runs only on undeclared data that is not UTF-8 and has at least
    ``MIN_GUESS_BYTES`` bytes above ASCII; readers record its choice in ``meta["charset_guessed"]``.

    ``declared`` is the HTTP header's charset; without one, a ``<meta>``/XML declaration in the bytes is used.
    UTF-8 goes before any declaration because mis-declared pages are common and valid UTF-8 by accident is not.
    UTF-8 with a few invalid bytes among many valid multibyte characters is still UTF-8 (a damaged byte does
    not make a whole file cp1252): each invalid sequence becomes U+FFFD and the replaced bytes are counted in
    ``replaced_bytes``. Raises ``InputError`` for binary data. The result always encodes as UTF-8: lone
    surrogates (which some codecs produce) become U+FFFD too.
    """
    encoding, guessed = choose_encoding(data, name, declared)
    text, replaced = decode_counting(data, encoding)
    return Decoded(without_surrogates(text), encoding, replaced, guessed)


def decode_text(data: bytes, name: str, declared: str | None = None) -> str:
    """``decode(...).text``, for inputs whose replaced bytes belong to no article (URL lists)."""
    return decode(data, name, declared).text


def decode_counting(data: bytes, encoding: str) -> tuple[str, int]:
    """``data`` decoded with ``encoding``, each undecodable sequence as U+FFFD, and the number of bytes replaced."""
    try:
        return data.decode(encoding), 0
    except UnicodeDecodeError:
        pass
    replaced = 0

    def count(exc: UnicodeError) -> tuple[str, int]:
        nonlocal replaced
        if not isinstance(exc, UnicodeDecodeError):
            raise exc
        replaced += exc.end - exc.start
        return "\ufffd", exc.end

    with _counting(count):
        text = data.decode(encoding, errors=_COUNTING)
    return text, replaced


# ``codecs.register_error`` takes one global handler per name: it calls the handler this thread set last.
_COUNTING = "storyline-count-replaced"
_HANDLERS = threading.local()
codecs.register_error(_COUNTING, lambda exc: _HANDLERS.current(exc))


@contextmanager
def _counting(handler: Callable[[UnicodeError], tuple[str, int]]) -> Iterator[None]:
    previous = getattr(_HANDLERS, "current", None)
    _HANDLERS.current = handler
    try:
        yield
    finally:
        _HANDLERS.current = previous


# Fewer bytes above ASCII than this in undeclared, non-UTF-8 data are too little to tell a charset by: they are
# replaced by U+FFFD and counted (one stray byte never re-decodes a whole file in a guessed charset).
MIN_GUESS_BYTES = 4
_ASCII = bytes(range(128))


def choose_encoding(data: bytes, name: str, declared: str | None = None) -> tuple[str, bool]:
    """The codec ``decode`` uses for ``data`` (see there) and whether it was guessed; ``InputError`` for binary data.

    Guessed means: no byte order mark, not (nearly) UTF-8, no usable declaration, and at least
    ``MIN_GUESS_BYTES`` bytes above ASCII, so charset-normalizer chose. With fewer, the data is read as UTF-8 and
    its invalid bytes are replaced and counted.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", False
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", False
    if looks_binary(data):
        raise InputError(name, "binary data, not text", "pass text, JSONL, HTML, feed or WARC files")
    sniffed = sniff_charset(data)
    says_utf8 = any(_codec_name(c) == "utf-8" for c in (declared, sniffed) if c)
    if nearly_utf8(data, declared_utf8=says_utf8):
        return "utf-8", False
    for charset in (declared, sniffed):
        if not charset or _codec_name(charset) in (None, "utf-8", "utf-16", "utf-32"):
            continue
        try:
            data.decode(charset)
        except UnicodeError:  # UnicodeDecodeError, or a codec's own failure (e.g. a multibyte codec's state)
            continue
        return _codec_name(charset) or charset, False
    if len(data.translate(None, _ASCII)) < MIN_GUESS_BYTES:  # the bytes above ASCII
        return "utf-8", False
    best = from_bytes(data[:200_000]).best()
    return (best.encoding if best is not None else "cp1252"), True


# A valid UTF-8 multibyte character: a lead byte and its continuation bytes, over-long forms and surrogates excluded.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def nearly_utf8(data: bytes, declared_utf8: bool = False) -> bool:
    """True when ``data`` is UTF-8, or UTF-8 with a few damaged spots.

    Text in a legacy 8-bit charset (cp1252, latin-1, cp1251) almost never forms valid UTF-8 multibyte sequences,
    so valid ones outnumbering the damaged spots (runs of adjacent invalid bytes: one stray byte inside a
    character breaks it into several) twice over means UTF-8 with damage, not another charset. A document
    declaring UTF-8 needs only as many valid characters as damaged spots.
    """
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        pass
    valid = len(_UTF8_MULTIBYTE.findall(data))
    if not valid:
        return False
    spots = _damaged_utf8_spots(data, stop=valid + 1)
    return valid >= spots * (1 if declared_utf8 else 2)


def _damaged_utf8_spots(data: bytes, stop: int) -> int:
    """Runs of adjacent invalid UTF-8 sequences in ``data``, counted up to ``stop``."""
    found = 0
    last_end = -1

    def count(exc: UnicodeError) -> tuple[str, int]:
        nonlocal found, last_end
        start, end = exc.start, exc.end  # type: ignore[attr-defined]
        if start != last_end:
            found += 1
            if found >= stop:
                raise _EnoughInvalid
        last_end = end
        return "", end

    with _counting(count), suppress(_EnoughInvalid):
        data.decode("utf-8", errors=_COUNTING)
    return found


class _EnoughInvalid(Exception):
    """Stops counting invalid sequences once the answer is known."""


__all__ = [
    "Decoded",
    "charset_from_content_type",
    "choose_encoding",
    "decode",
    "decode_counting",
    "decode_text",
    "gunzip_capped",
    "gunzip_partial",
    "gzip",
    "is_gzip",
    "looks_binary",
    "nearly_utf8",
    "sniff_charset",
]
