"""What every reader gets: the input's name, a default article id and the options."""

from __future__ import annotations

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
    """The run's polite HTTP fetcher when ``ingest.fetch`` is on (feeds fetch teaser pages, URL lists pages)."""

    def article(self, *, id: str, text: str, **fields: Any) -> Article:
        fields = {k: v for k, v in fields.items() if v is not None or k == "published"}
        return Article(id=id, text=text, input=self.name, **fields)


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 string (or epoch seconds) as a datetime; naive values are taken as UTC; ``None`` if invalid."""
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
    return parsed
