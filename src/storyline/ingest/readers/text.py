"""Plain-text articles: one article a file; a first line followed by a blank line is the title.

Plain text carries no metadata, so two file-layout conventions fill it in (both recorded in ``Article.meta``):
a file inside a folder below the input root takes that folder's name as its source
(``harbor-ledger/fire.txt`` -> ``harbor-ledger``), and an ISO date in the file name (``2026-09-09-fire.txt``)
is its publication date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import PurePosixPath

from ...models import Article, Rejected
from ..base import ReadContext
from ..decode import decode

_TITLE = re.compile(r"\A[ \t]*(?P<title>[^\n]{1,300}?)[ \t]*\n[ \t]*\n")
_NAME_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?!\d)")


def metadata_from_path(relative: str) -> dict[str, object]:
    """Source (the parent folder) and publication date (``YYYY-MM-DD`` in the name) from a relative path."""
    path = PurePosixPath(relative)
    found: dict[str, object] = {}
    if len(path.parts) > 1 and path.parent.name and not path.parent.name.startswith("."):
        found["source"] = path.parent.name
    match = _NAME_DATE.search(path.name)
    if match:
        with suppress(ValueError):  # "2026-13-45" is not a date: leave the article undated
            found["published"] = datetime(int(match["y"]), int(match["m"]), int(match["d"]), tzinfo=UTC)
    return found


def read_text(data: bytes, ctx: ReadContext) -> Iterator[Article | Rejected]:
    """Read ``data`` as one plain-text article."""
    decoded = decode(data, ctx.name)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    title = None
    match = _TITLE.match(text)
    if match:
        title = match.group("title").strip()
        text = text[match.end() :]
    found = metadata_from_path(ctx.default_id)
    meta: dict[str, object] = {f"{key}_from": ("folder" if key == "source" else "file name") for key in found}
    if decoded.replaced_bytes:
        meta["replaced_bytes"] = decoded.replaced_bytes
    if decoded.guessed:
        meta["charset_guessed"] = decoded.encoding
    yield ctx.article(id=ctx.default_id, text=text.strip(), title=title, meta=meta or None, **found)
