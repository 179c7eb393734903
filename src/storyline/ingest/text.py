"""Plain-text articles: one article a file; a first line followed by a blank line is the title."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Article, Rejected
from .base import ReadContext
from .decode import decode_text

_TITLE = re.compile(r"\A[ \t]*(?P<title>[^\n]{1,300}?)[ \t]*\n[ \t]*\n")


def read_text(data: bytes, ctx: ReadContext) -> Iterator[Article | Rejected]:
    """Read ``data`` as one plain-text article."""
    text = decode_text(data, ctx.name).replace("\r\n", "\n").replace("\r", "\n")
    title = None
    match = _TITLE.match(text)
    if match:
        title = match.group("title").strip()
        text = text[match.end() :]
    yield ctx.article(id=ctx.default_id, text=text.strip(), title=title)
