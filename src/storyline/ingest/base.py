"""What every reader gets: the input's name, a default article id and the options."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..config import IngestOptions
from ..models import Article, Rejected

if TYPE_CHECKING:
    from .fetch import Fetcher

Reader = Callable[[bytes, "ReadContext"], Iterator[Article | Rejected]]


@dataclass(frozen=True, slots=True)
class ReadContext:
    """The input being read: ``name`` for messages, ``default_id`` for articles without their own id."""

    name: str
    default_id: str
    options: IngestOptions
    url: str | None = None
    declared_charset: str | None = None
    fetcher: Fetcher | None = None
    """The run's polite HTTP fetcher when fetching is on (``fetch.enabled``, or a watched feed); readers fetch
    (URLs, URL lists, OPML, feed teasers) only when there is one."""

    def article(self, *, id: str, text: str, **fields: Any) -> Article:
        fields = {k: without_surrogates(v) for k, v in fields.items() if v is not None or k == "published"}
        return Article(id=without_surrogates(id), text=without_surrogates(text), input=self.name, **fields)


_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(value: Any) -> Any:
    """``value`` with lone UTF-16 surrogates (JSON escapes such as ``\\ud800`` make them) replaced by U+FFFD.

    Such strings cannot be encoded as UTF-8, so they would fail later when hashed, stored or written. Lists and
    dicts (parsed JSON metadata) are cleaned in place without recursion, so any depth JSON allows is handled.
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            for i, element in enumerate(item):
                if isinstance(element, str):
                    item[i] = _SURROGATE.sub("\ufffd", element)
                elif isinstance(element, (list, dict)):
                    pending.append(element)
        elif isinstance(item, dict):
            for key in [k for k in item if isinstance(k, str) and _SURROGATE.search(k)]:
                item[_SURROGATE.sub("\ufffd", key)] = item.pop(key)
            for key, element in item.items():
                if isinstance(element, str):
                    item[key] = _SURROGATE.sub("\ufffd", element)
                elif isinstance(element, (list, dict)):
                    pending.append(element)
    return value


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 string (or epoch seconds) as a datetime; naive values are taken as UTC; ``None`` if invalid,
    or if the moment cannot be expressed in UTC within years 1-9999 ('9999-12-31T23:59-23:59'): the store and every
    page show times in UTC, so such a time would fail there instead of here."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed.astimezone(UTC)
    except OverflowError:
        return None
    return parsed
