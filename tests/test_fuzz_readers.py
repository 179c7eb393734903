"""Property tests of the readers: any bytes give articles or counted rejects, never an exception or a hang.

Every input goes through ``read_file`` (size caps, gzip, format detection, the reader, the article checks), the
same path the CLI takes, so what holds here holds for ``storyline digest``.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.config import IngestOptions
from storyline.errors import InputError
from storyline.ingest import InputFile, read_file
from storyline.ingest.decode import decode_text, gunzip_capped
from storyline.ingest.detect import detect_format, reader_names
from storyline.models import Article, Rejected

from fuzzing import fuzz_settings, hostile_text, time_cap

OPTIONS = IngestOptions(max_bytes=2_000_000, max_article_chars=200_000)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    from storyline.ingest.readers.html import extract_html

    extract_html(b"<p>warm up</p>", "warm-up.html")  # first-call imports must not count against a deadline
    with tempfile.TemporaryDirectory(prefix="storyline-fuzz-") as folder:
        yield Path(folder)


def encodable(value: object) -> bool:
    return not isinstance(value, str) or value.encode("utf-8", "strict") is not None


def read_all(folder: Path, name: str, data: bytes, options: IngestOptions = OPTIONS) -> list[Article | Rejected]:
    """``data`` saved as ``name`` and read like the CLI reads it; checks what every result must satisfy."""
    path = folder / name
    path.write_bytes(data)
    with time_cap(20.0, f"reading {name}"):
        items = list(read_file(InputFile(str(path), name), options))
    assert items, "a file must give at least one article or reject"
    for item in items:
        if isinstance(item, Rejected):
            assert isinstance(item.input, str) and item.input
            assert isinstance(item.reason, str) and item.reason.strip()
            continue
        assert isinstance(item, Article)
        assert isinstance(item.id, str) and item.id.strip()
        assert options.min_article_chars <= len(item.text) <= options.max_article_chars
        for value in (item.id, item.text, item.title, item.author, item.url, item.source, item.language):
            assert value is None or isinstance(value, str)
            assert encodable(value), f"{value!r} cannot be written as UTF-8"
        item.source_name.encode("utf-8")
        json.dumps(item.meta, ensure_ascii=False).encode("utf-8")
    return items


def surrogate_safe(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


# --- any bytes, any name -----------------------------------------------------------------------------------------

NAMES = st.sampled_from(["a.txt", "a.jsonl", "a.html", "a.xml", "a.warc", "a", "a.txt.gz", "a.json", "a.ndjson"])


@fuzz_settings(examples=150, deadline_ms=2000)
@given(data=st.binary(max_size=3000), name=NAMES)
def test_any_bytes_under_any_name_give_articles_or_rejects(scratch: Path, data: bytes, name: str) -> None:
    read_all(scratch, name, data)


@fuzz_settings(examples=100, deadline_ms=2000)
@given(text=hostile_text, name=NAMES, encoding=st.sampled_from(["utf-8", "utf-16", "utf-16-le", "latin-1", "cp1252"]))
def test_hostile_text_in_any_encoding_is_read(scratch: Path, text: str, name: str, encoding: str) -> None:
    data = text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    read_all(scratch, name, data)


@fuzz_settings(examples=150, deadline_ms=1000)
@given(data=st.binary(max_size=3000), name=st.text(max_size=30))
def test_format_detection_always_names_a_format(data: bytes, name: str) -> None:
    assert detect_format(data, name) in {"text", "jsonl", "html", "feed", "warc"}


GARBAGE_CHARSETS = ["utf-8", "utf-7", "utf-16", "utf-32", "latin-1", "cp037", "rot13", "hex", "zlib_codec", "x-bogus",
                    "", "shift_jis", "koi8-r", "gb18030", "mbcs", "idna", "punycode", "unicode_escape"]


@fuzz_settings(examples=200, deadline_ms=1000)
@given(data=st.binary(max_size=2000), declared=st.none() | st.sampled_from(GARBAGE_CHARSETS))
def test_decoding_any_bytes_with_any_declared_charset_gives_utf8_safe_text(data: bytes, declared: str | None) -> None:
    try:
        text = decode_text(data, "fuzz.bin", declared)
    except InputError as exc:
        assert "binary" in exc.reason
        return
    text.encode("utf-8")


@pytest.mark.parametrize("charset", ["utf-7", "UTF-7", "unicode_escape", "raw-unicode-escape", "punycode", "idna"])
def test_a_declared_escape_or_utf7_charset_is_ignored(charset: str) -> None:
    assert decode_text(b"+ADw-script+AD4- \\x3cb\\x3e", "page.html", charset) == "+ADw-script+AD4- \\x3cb\\x3e"


# --- gzip ----------------------------------------------------------------------------------------------------------


@fuzz_settings(examples=100, deadline_ms=1000)
@given(parts=st.lists(st.binary(max_size=4000), min_size=1, max_size=3))
def test_gzip_round_trips_single_and_concatenated_members(parts: list[bytes]) -> None:
    data = b"".join(gzip.compress(p) for p in parts)
    assert gunzip_capped(data, "a.gz", 10_000_000, 10_000) == b"".join(parts)


@fuzz_settings(examples=100, deadline_ms=1000)
@given(payload=st.binary(min_size=1, max_size=4000), cut=st.integers(min_value=0))
def test_truncated_gzip_is_an_input_error(payload: bytes, cut: int) -> None:
    whole = gzip.compress(payload)
    cut = cut % len(whole)
    with pytest.raises(InputError, match="gzip"):
        gunzip_capped(whole[:cut] if cut >= 2 else whole[:2], "a.gz", 10_000_000, 10_000)


@fuzz_settings(examples=150, deadline_ms=1000)
@given(payload=st.binary(max_size=3000), max_bytes=st.integers(1, 5000), ratio=st.integers(1, 50))
def test_gzip_output_never_exceeds_the_caps(payload: bytes, max_bytes: int, ratio: int) -> None:
    data = gzip.compress(payload)
    try:
        out = gunzip_capped(data, "a.gz", max_bytes, ratio)
    except InputError as exc:
        assert len(payload) > min(max_bytes, len(data) * ratio)
        assert "expands past" in exc.reason
        return
    assert out == payload and len(out) <= min(max_bytes, len(data) * ratio)


@fuzz_settings(examples=150, deadline_ms=1000)
@given(tail=st.binary(max_size=2000))
def test_corrupt_gzip_bytes_are_an_input_error(tail: bytes) -> None:
    try:
        gunzip_capped(b"\x1f\x8b" + tail, "a.gz", 1_000_000, 1000)
    except InputError as exc:
        assert "gzip" in exc.reason


# --- JSONL ---------------------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=15,
)
dates = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59", "2024-02-30", "now", "1e400",
                     "2024-01-01T00:00:00Z", "-1", "2024-13-01T00:00:00"]),
    st.floats(),
    st.integers(),
)
records = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(hostile_text, st.integers(), json_values),
        "text": st.one_of(hostile_text, hostile_text.map(lambda t: "The council said. " + t), json_values),
        "html": st.one_of(hostile_text, json_values),
        "title": st.one_of(hostile_text, json_values),
        "url": st.one_of(st.sampled_from(["http://[::1", "https://a.example/x", "javascript:alert(1)", "//", ""]),
                         hostile_text),
        "source": hostile_text,
        "published": st.one_of(dates, json_values),
        "language": hostile_text,
        "extra": json_values,
    },
)


@st.composite
def jsonl_files(draw: st.DrawFn) -> bytes:
    lines = []
    for record in draw(st.lists(records, max_size=5)):
        line = json.dumps(record, ensure_ascii=draw(st.booleans()), allow_nan=True)
        if draw(st.integers(0, 9)) == 0:  # a damaged line: cut short
            line = line[: draw(st.integers(0, len(line)))]
        lines.append(line)
    return surrogate_safe(draw(st.sampled_from(["\n", "\r\n", "\n\n"])).join(lines))


@fuzz_settings(examples=150, deadline_ms=3000)
@given(data=jsonl_files())
def test_any_jsonl_gives_one_result_per_nonblank_line(scratch: Path, data: bytes) -> None:
    items = read_all(scratch, "fuzz.jsonl", data, IngestOptions(format="jsonl", max_article_chars=200_000))
    lines = [line for line in decode_text(data, "fuzz.jsonl").split("\n") if line.strip()]
    assert len(items) == (len(lines) or 1)


@fuzz_settings(examples=40, deadline_ms=3000)
@given(depth=st.integers(500, 200_000), opener=st.sampled_from(["[", '{"a":']))
def test_deeply_nested_jsonl_is_rejected(scratch: Path, depth: int, opener: str) -> None:
    line = '{"id": "deep", "text": "A long enough article body.", "x": ' + opener * depth
    items = read_all(scratch, "deep.jsonl", line.encode(), IngestOptions(format="jsonl"))
    assert len(items) == 1 and isinstance(items[0], Rejected) and "invalid JSON" in items[0].reason


# --- HTML ----------------------------------------------------------------------------------------------------------

TAGS = ["html", "head", "body", "article", "main", "div", "p", "span", "script", "style", "title", "meta", "a", "br",
        "table", "tr", "td", "iframe", "svg", "math", "noscript", "template", "h1", "time", "img", "ul", "li", "form"]
FRAGMENTS = ["<", "</", "<!--", "-->", "<![CDATA[", "]]>", "&#x110000;", "&#0;", "&#xD800;", "&bogus;", "&amp",
             "<?xml version='1.0'?>", "<!DOCTYPE html>", '<meta charset="utf-7">', '<meta charset="x-bogus">',
             "<p>The mayor said the bridge would reopen on Monday after repairs.</p>", "\x00", "\ufeff", ">"]
attributes = st.dictionaries(
    st.sampled_from(["class", "id", "href", "src", "content", "name", "property", "onerror", "datetime", "charset"]),
    hostile_text,
    max_size=3,
)


def _render(tag: str, attrs: dict[str, str], children: list[str]) -> str:
    rendered = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<{tag}{rendered}>{''.join(children)}</{tag}>"


html_trees = st.recursive(
    hostile_text | st.sampled_from(FRAGMENTS),
    lambda inner: st.builds(_render, st.sampled_from(TAGS), attributes, st.lists(inner, max_size=4)),
    max_leaves=25,
)


@fuzz_settings(examples=80, deadline_ms=10_000)
@given(tree=html_trees, doctype=st.booleans())
def test_any_html_gives_an_article_or_a_reject(scratch: Path, tree: str, doctype: bool) -> None:
    page = ("<!DOCTYPE html><html><body>" if doctype else "") + tree
    read_all(scratch, "page.html", surrogate_safe(page), IngestOptions(format="html"))


@pytest.mark.parametrize(
    "name,page",
    [
        ("100k nested divs", "<div>" * 100_000 + "<p>The mayor spoke on Monday about the new bridge.</p>"),
        ("20k unclosed paragraphs", "<p>word " * 20_000),
        ("1M-character attribute", '<html><body><p title="' + "a" * 1_000_000 + '">The mayor spoke.</p></body></html>'),
        ("50k entities", "<html><body><p>" + "&amp;&lt;&#x41;&bogus;" * 50_000 + "</p></body></html>"),
        ("an iframe as the root", "<iframe>HTML"),
        ("only a script", "<html><head><script>" + "x=1;" * 100_000 + "</script></head></html>"),
        ("50k comments", "<html><body>" + "<!-- c -->" * 50_000 + "<p>Text after comments here.</p></body></html>"),
    ],
)
def test_pathological_html_is_read_within_the_cap(scratch: Path, name: str, page: str) -> None:
    items = read_all(scratch, "page.html", page.encode(), IngestOptions(format="html", max_article_chars=2_000_000))
    assert all(isinstance(i, (Article, Rejected)) for i in items), name


def test_every_detected_format_has_a_reader_or_a_clear_reject(scratch: Path) -> None:
    samples = {"feed": b"<?xml version='1.0'?><rss><channel></channel></rss>", "warc": b"WARC/1.0\r\n\r\n"}
    for fmt, data in samples.items():
        items = read_all(scratch, f"sample.{fmt}", data)
        if fmt not in reader_names():
            assert isinstance(items[0], Rejected) and "not installed" in items[0].reason
