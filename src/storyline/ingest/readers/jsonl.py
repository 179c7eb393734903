"""JSON Lines: one article a line with ``id``, ``text`` or ``html``, optional metadata."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ...errors import InputError
from ...models import Article, Rejected
from ..base import ReadContext, parse_datetime, without_surrogates
from ..decode import choose_encoding, decode_counting

_KNOWN = {"id", "text", "html", "title", "url", "source", "published", "language", "author"}


def read_jsonl(data: bytes, ctx: ReadContext) -> Iterator[Article | Rejected]:
    """Read one article from each non-blank line; a bad line is rejected with its number.

    The file's charset is chosen once; each line is decoded by itself so the bytes a damaged line loses to
    U+FFFD are counted in its own article's ``meta["replaced_bytes"]``; a guessed charset is recorded in every
    article's ``meta["charset_guessed"]``.
    """
    encoding, guessed = choose_encoding(data, ctx.name)
    for number, (line, replaced) in enumerate(_decoded_lines(data, encoding), start=1):
        if not line.strip():
            continue
        where = f"{ctx.name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejected(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            yield Rejected(where, f"invalid JSON ({exc})")
            continue
        except RecursionError:
            yield Rejected(where, "invalid JSON (arrays or objects nested too deeply to read)")
            continue
        if not isinstance(record, dict):
            yield Rejected(where, f"expected a JSON object, got {type(record).__name__}")
            continue
        for item in read_record(record, ctx, where, default_id=f"{ctx.default_id}:{number}"):
            if isinstance(item, Article):
                if replaced:
                    item.meta["replaced_bytes"] = item.meta.get("replaced_bytes", 0) + replaced
                if guessed:
                    item.meta["charset_guessed"] = encoding
            yield item


def _decoded_lines(data: bytes, encoding: str) -> Iterator[tuple[str, int]]:
    """Each line of ``data`` (split at "\\n" only) and the undecodable bytes it had replaced by U+FFFD."""
    if encoding == "utf-8-sig":
        data, encoding = data[3:], "utf-8"
    if "\n".encode(encoding) != b"\n":  # UTF-16: lines cannot be cut as bytes; the first line carries the count
        text, replaced = decode_counting(data, encoding)
        for number, line in enumerate(text.split("\n")):
            yield without_surrogates(line), replaced if number == 0 else 0
        return
    # Only "\n" ends a JSON Lines record: str.splitlines() would also split inside strings at U+2028, U+0085...
    for raw in data.split(b"\n"):
        line, replaced = decode_counting(raw, encoding)
        yield without_surrogates(line), replaced


def read_record(record: dict, ctx: ReadContext, where: str, default_id: str) -> Iterator[Article | Rejected]:
    """One JSON object to an article (shared by JSONL and other record-shaped inputs)."""
    article_id = record.get("id")
    if article_id is None:
        article_id = default_id
    elif not isinstance(article_id, (str, int)):
        yield Rejected(where, f"'id' must be a string or number, got {type(article_id).__name__}")
        return
    elif isinstance(article_id, str) and not article_id.strip():
        yield Rejected(where, "'id' is empty; give each article a unique id or leave 'id' out")
        return
    body = record.get("text")
    html = record.get("html")
    fields = {}
    for name in ("title", "url", "source", "language", "author"):
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            yield Rejected(where, f"{name!r} must be a string, got {type(value).__name__}")
            return
        fields[name] = value
    published = None
    if record.get("published") is not None:
        published = parse_datetime(record["published"])
        if published is None:
            value = str(record["published"])[:40]
            yield Rejected(where, f"'published' is not an ISO 8601 date in years 1-9999 UTC: {value!r}")
            return
    if isinstance(body, str) and body.strip():
        text = body
    elif isinstance(html, str) and html.strip():
        from .html import extract_html

        try:
            page = extract_html(without_surrogates(html).encode("utf-8"), where, url=fields["url"], declared="utf-8")
        except InputError as exc:  # e.g. binary data in 'html': reject this record, keep reading the file
            yield Rejected(where, f"'html': {exc.reason}")
            return
        if page is None:
            yield Rejected(where, "no article text found in 'html'")
            return
        text = page.text
        fields["title"] = fields["title"] or page.title
        fields["author"] = fields["author"] or page.author
        fields["language"] = fields["language"] or page.language
        published = published or page.published
    else:
        yield Rejected(where, "no 'text' or 'html' field with content")
        return
    extra = {k: v for k, v in record.items() if k not in _KNOWN}
    yield ctx.article(id=str(article_id), text=text.strip(), published=published, meta=extra, **fields)
