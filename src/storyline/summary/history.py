"""Update summaries over a store: for every story that changed since a time, what is new since then.

Works with anything that has the four ``Store`` methods below (``storyline.store.Store`` does), so this module
does not import the store and the store does not import the summarizer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..config import SummaryOptions
from ..models import Article, Story
from ..text.sentences import ensure_sentences
from .update import UpdateSummary, summarize_update


class StoryHistory(Protocol):
    def stories_changed_since(self, when: datetime) -> list[str]: ...

    def story_as_of(self, story_id: str, when: datetime) -> Any: ...

    def story(self, story_id: str) -> Story: ...

    def articles(self, article_ids: Sequence[str]) -> list[Article]: ...


@dataclass(slots=True)
class StoryUpdate:
    """One story's update summary, with the version of the summary it was compared against."""

    story_id: str
    headline: str
    update: UpdateSummary
    previous_version: int | None
    """The story version current at ``since`` (None: the story is new since then)."""


def updates_since(
    history: StoryHistory, since: datetime, options: SummaryOptions | None = None,
    story_ids: Sequence[str] | None = None,
) -> list[StoryUpdate]:
    """Update summaries of ``story_ids`` (default: every story changed after ``since``), newest change first."""
    options = options or SummaryOptions()
    ids = list(story_ids) if story_ids is not None else history.stories_changed_since(since)
    out = []
    for story_id in ids:
        story = history.story(story_id)
        before = history.story_as_of(story_id, since)
        previous = before.story.summary if before is not None else []
        articles = [a for a in history.articles(story.article_ids) if a.duplicate_of is None]
        ensure_sentences(articles)
        update = summarize_update(articles, since, previous, options)
        out.append(StoryUpdate(story_id, story.headline, update, before.version if before is not None else None))
    return out
