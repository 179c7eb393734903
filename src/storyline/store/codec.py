"""Stories and articles to and from the plain JSON the store keeps (the same shape as ``stories.json``)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime
from typing import Any, TypeVar

from ..models import (
    Article,
    Citation,
    Claim,
    Conflict,
    ConflictSide,
    Coverage,
    CoverageBin,
    Entity,
    GroupCoverage,
    OutletCoverage,
    Quote,
    Story,
    Storyline,
    SummarySentence,
    TimelineEvent,
    UniqueFact,
)
from ..serialize import story_to_dict

T = TypeVar("T")

__all__ = ["body_hash", "parse_time", "story_from_dict", "story_to_body", "storyline_from_dict", "to_utc_naive"]


def story_to_body(story: Story) -> dict[str, Any]:
    """The story as a ``stories.json`` story object (what ``/api/stories/{id}`` returns)."""
    return story_to_dict(story)


def body_hash(body: dict[str, Any]) -> str:
    """A stable fingerprint of a story body: equal bodies are the same version."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _build(cls: type[T], data: dict[str, Any], **nested: Any) -> T:
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    values = {k: v for k, v in data.items() if k in names}
    values.update(nested)
    return cls(**values)


def _citations(items: list[dict[str, Any]]) -> list[Citation]:
    return [_build(Citation, c) for c in items]


def story_from_dict(data: dict[str, Any]) -> Story:
    """A ``Story`` from a ``stories.json`` story object; unknown keys (from newer writers) are ignored."""
    return Story(
        id=data["id"],
        headline=data.get("headline", ""),
        article_ids=list(data.get("article_ids", [])),
        summary=[
            _build(SummarySentence, s, citations=_citations(s.get("citations", []))) for s in data.get("summary", [])
        ],
        agreed=[_build(Claim, c, citations=_citations(c.get("citations", []))) for c in data.get("agreed", [])],
        unique=[_build(UniqueFact, s) for s in data.get("unique", [])],
        conflicts=[
            _build(Conflict, c, sides=[_build(ConflictSide, s) for s in c.get("sides", [])])
            for c in data.get("conflicts", [])
        ],
        quotes=[_build(Quote, q) for q in data.get("quotes", [])],
        entities=[_build(Entity, e) for e in data.get("entities", [])],
        timeline=[_build(TimelineEvent, t) for t in data.get("timeline", [])],
        first_published=parse_time(data.get("first_published")),
        last_published=parse_time(data.get("last_published")),
        coverage=coverage_from_dict(data["coverage"]) if data.get("coverage") else None,
        languages=list(data.get("languages", [])),
    )


def coverage_from_dict(data: dict[str, Any]) -> Coverage:
    """A story's ``Coverage`` from its ``stories.json`` object (times back to datetimes)."""
    return _build(
        Coverage, data,
        outlets=[_build(OutletCoverage, o, first_published=parse_time(o.get("first_published")))
                 for o in data.get("outlets", [])],
        over_time=[CoverageBin(parse_time(b["start"]) or datetime.min, parse_time(b["end"]) or datetime.min,
                               int(b["articles"])) for b in data.get("over_time", [])],
        groups=[_build(GroupCoverage, g) for g in data.get("groups", [])],
    )


def storyline_from_dict(data: dict[str, Any]) -> Storyline:
    """A ``Storyline`` from a ``stories.json`` storyline object; unknown keys are ignored."""
    return Storyline(
        id=data["id"],
        headline=data.get("headline", ""),
        story_ids=list(data.get("story_ids", [])),
        summary=[
            _build(SummarySentence, s, citations=_citations(s.get("citations", []))) for s in data.get("summary", [])
        ],
        first_published=parse_time(data.get("first_published")),
        last_published=parse_time(data.get("last_published")),
    )


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 string back to a datetime (None stays None)."""
    return datetime.fromisoformat(value) if value else None


def utcnow() -> datetime:
    """Now as naive UTC (what every timestamp column holds)."""
    return datetime.now(UTC).replace(tzinfo=None)


def utc_iso(value: datetime | None) -> str | None:
    """A time read from a column (naive = UTC) as ISO 8601 with its offset: what the API and pages are given."""
    if value is None:
        return None
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()


def to_utc_naive(value: datetime | None) -> datetime | None:
    """A datetime as naive UTC, the form both SQLite and PostgreSQL columns sort correctly (naive = already UTC)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def article_from_row(row: Any) -> Article:
    """An ``Article`` from an ``articles`` row, with the original ``published`` (time zone included)."""
    return Article(
        id=row.id,
        text=row.text,
        title=row.title,
        source=row.source,
        url=row.url,
        published=parse_time(row.published_iso),
        language=row.language,
        author=row.author,
        input=row.input,
        duplicate_of=row.duplicate_of,
        meta=dict(row.meta or {}),
    )
