"""Update summaries: what a grown story says that is new since a given time, without repeating the last summary.

A pure function over articles so the store (issue 8) and the CLI over files share it: the caller decides which
articles belong to the story and passes the summary it showed before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from ..config import SummaryOptions
from ..models import Article, SummarySentence
from .attribution import cite_all
from .index import index_story
from .order import chronological
from .scoring import Concept, concepts_of, score_sentences
from .select import select_sentences, story_name_uses
from .terms import sentence_terms
from .vectors import embed_texts


@dataclass(slots=True)
class UpdateSummary:
    """The update and which articles it was drawn from."""

    summary: list[SummarySentence]
    new_article_ids: list[str]
    """Articles published after ``since``: the only ones update sentences are taken from."""
    undated_article_ids: list[str] = field(default_factory=list)
    """Articles without a publication time: never counted as new (their age is unknown)."""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def summarize_update(
    articles: Sequence[Article],
    since: datetime,
    previous_summary: Sequence[SummarySentence] = (),
    options: SummaryOptions | None = None,
) -> UpdateSummary:
    """The summary of what ``articles`` published after ``since`` add to the story.

    Sentences come only from new articles; a sentence is skipped when it restates the previous summary or
    something the older articles already reported (cosine >= ``options.redundancy``), and concepts the previous
    summary covered earn nothing. Citations may point at any article of the story, old or new.
    Naive datetimes are read as UTC.
    """
    options = options or SummaryOptions()
    cutoff = _aware(since)
    new_ids = [a.id for a in articles if a.published is not None and _aware(a.published) > cutoff]
    undated = [a.id for a in articles if a.published is None]
    if not new_ids:
        return UpdateSummary([], [], undated)
    index = index_story(articles, options)
    if len(index) == 0:
        return UpdateSummary([], new_ids, undated)
    scores = score_sentences(index)
    new_set = set(new_ids)
    is_new = np.array([index.articles[int(k)].id in new_set for k in index.owner], dtype=bool)
    eligible = is_new.copy()
    old = np.flatnonzero(~is_new)
    if len(old):
        eligible &= scores.similarity[:, old].max(axis=1) < options.redundancy
    covered: set[Concept] = set()
    for sentence in previous_summary:
        covered |= concepts_of(sentence_terms(sentence.text, sentence.language))
    avoid = embed_texts([s.text for s in previous_summary], options.embedder) if previous_summary else None
    names = story_name_uses(index)
    chosen = chronological(
        index,
        select_sentences(index, scores, options, covered=covered, eligible=eligible, avoid=avoid, names=names),
        names,
    )
    citations = cite_all(index, chosen, options)
    summary = [SummarySentence(index.sentences[i].text, c) for i, c in zip(chosen, citations, strict=True)]
    return UpdateSummary(summary, new_ids, undated)
