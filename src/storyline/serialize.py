"""Records to and from plain dicts: the one conversion the report (``output/json.py``) and the store share.

It sits in the bottom layer beside ``models`` so that neither the store nor the writers depend on each other: the
store keeps a story body in this shape, ``stories.json`` writes the same shape, and each may add to it on its own.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from functools import cache
from typing import Any

from .models import Article, Story, Storyline, SummarySentence

__all__ = ["article_to_dict", "sentence_to_dict", "story_to_dict", "storyline_to_dict", "to_plain"]


_SCALARS = (str, int, float, bool, type(None))


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    """The field names of a dataclass type, looked up once (``dataclasses.fields`` per value was most of the time
    of writing a report: 15,000 calls for 500 articles)."""
    return tuple(f.name for f in dataclasses.fields(kind))


def to_plain(value: Any) -> Any:
    """``value`` with dataclasses turned into dicts, tuples into lists and datetimes into ISO 8601 strings."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(kind):
        return {name: to_plain(getattr(value, name)) for name in _field_names(kind)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


def article_to_dict(article: Article) -> dict[str, Any]:
    """An article as a ``stories.json`` article object (its text included: every span points into it)."""
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source_name,
        "groups": [str(g) for g in article.meta.get("groups") or []],
        "url": article.url,
        "published": article.published.isoformat() if article.published else None,
        "language": article.language,
        "author": article.author,
        "duplicate_of": article.duplicate_of,
        "input": article.input,
        "replaced_bytes": int(article.meta.get("replaced_bytes") or 0),
        "charset_guessed": article.meta.get("charset_guessed"),
        "text": article.text,
    }


def sentence_to_dict(sentence: SummarySentence) -> dict[str, Any]:
    """A summary sentence with its citations and its ``single_source`` mark (the one place that mark is made)."""
    return {**to_plain(sentence), "single_source": sentence.single_source}


def story_to_dict(story: Story) -> dict[str, Any]:
    """A story as a ``stories.json`` story object; ``single_source`` comes from ``SummarySentence.single_source``."""
    data = to_plain(story)
    data["summary"] = [sentence_to_dict(s) for s in story.summary]
    for entity in data["entities"]:
        if entity.get("count") is None:
            entity.pop("count", None)
    return data


def storyline_to_dict(storyline: Storyline) -> dict[str, Any]:
    """A storyline as a ``stories.json`` storyline object (its stories in time order, a summary with citations)."""
    data = to_plain(storyline)
    data["summary"] = [sentence_to_dict(s) for s in storyline.summary]
    return data
