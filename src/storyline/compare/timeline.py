"""A story's timeline: every dated statement of its articles, in date order, conflicting dates flagged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..models import Article, Conflict, TimelineEvent
from ..text.dates import DateMention

MIN_EVENT_WORDS = 5
"""Shorter sentences holding a date are datelines and headers, not events."""


def _start_day(iso: str) -> date:
    if "-W" in iso:
        year, week = iso.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    parts = [int(p) for p in iso.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def build_timeline(
    articles: Sequence[Article], mentions: dict[str, list[DateMention]], conflicts: Sequence[Conflict]
) -> list[TimelineEvent]:
    """One event per date expression in a sentence of ``MIN_EVENT_WORDS`` words or more; resolved dates first."""
    flagged = {(side.article_id, side.start, side.value) for c in conflicts if c.about.startswith("date")
               for side in c.sides}  # fmt: skip
    events: list[tuple[tuple, TimelineEvent]] = []
    for rank, article in enumerate(articles):
        for mention in mentions.get(article.id, []):
            sentence = next((s for s in article.sentences if s.start <= mention.start < s.end), None)
            if sentence is None or len(sentence.text.split()) < MIN_EVENT_WORDS:
                continue
            conflict = any(a == article.id and sentence.start <= start < sentence.end and value == mention.expression
                           for a, start, value in flagged)  # fmt: skip
            event = TimelineEvent(
                date=mention.date,
                expression=mention.expression,
                text=sentence.text,
                anchor=mention.anchor,
                article_id=article.id,
                start=sentence.start,
                end=sentence.end,
                conflict=conflict,
            )
            key = (0, _start_day(mention.date), len(mention.date)) if mention.date else (1, date.max, rank)
            events.append(((*key, rank, mention.start), event))
    events.sort(key=lambda item: item[0])
    return [event for _, event in events]
