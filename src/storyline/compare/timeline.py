"""A story's timeline: every dated statement of its articles, once each, in date order, conflicting dates flagged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..models import Article, Conflict, TimelineEvent
from ..text.dates import DateMention, first_day

MIN_EVENT_WORDS = 5
"""Shorter sentences holding a date are datelines and headers, not events."""


def build_timeline(
    articles: Sequence[Article], mentions: dict[str, list[DateMention]], conflicts: Sequence[Conflict]
) -> list[TimelineEvent]:
    """One event per sentence of ``MIN_EVENT_WORDS`` words or more that holds a date, resolved dates first.

    A sentence with several dates ("released on Wednesday a description of Tuesday's fire") is placed once, at
    the date another source contradicts if one is, else its most precise resolved date, else its first."""
    flagged = {(side.article_id, side.start, side.value) for c in conflicts if c.about.startswith("date")
               for side in c.sides}  # fmt: skip
    events: list[tuple[tuple, TimelineEvent]] = []
    for rank, article in enumerate(articles):
        by_sentence: dict[int, list[tuple[DateMention, bool]]] = {}
        for mention in mentions.get(article.id, []):
            sentence = next((s for s in article.sentences if s.start <= mention.start < s.end), None)
            if sentence is None or len(sentence.text.split()) < MIN_EVENT_WORDS:
                continue
            conflict = any(a == article.id and sentence.start <= start < sentence.end and value == mention.expression
                           for a, start, value in flagged)  # fmt: skip
            by_sentence.setdefault(sentence.start, []).append((mention, conflict))
        sentences = {s.start: s for s in article.sentences}
        for start, found in by_sentence.items():
            mention, conflict = min(found, key=lambda f: (not f[1], f[0].date is None, -len(f[0].date or ""),
                                                          f[0].start))  # fmt: skip
            sentence = sentences[start]
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
            key = (0, first_day(mention.date), len(mention.date)) if mention.date else (1, date.max, rank)
            events.append(((*key, rank, mention.start), event))
    events.sort(key=lambda item: item[0])
    return [event for _, event in events]
