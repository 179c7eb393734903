"""Compare the sources of a story: facts agreed and unique, conflicting figures and dates, entities, quotes and a
timeline, every item cited by ``(article_id, start, end)`` into its article. One alignment of the story's sentences
decides what is agreed, what is unique, which pairs may conflict and, when a summary is given, how many sources
each summary sentence has."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..config import CompareOptions
from ..embed import cross_lingual_model, kept_call, kept_outputs
from ..models import (
    Article,
    Claim,
    Conflict,
    ConflictSide,
    Entity,
    Quote,
    SummarySentence,
    TimelineEvent,
    UniqueFact,
)
from ..text.dates import DateMention, find_dates
from ..text.tokens import stop_words
from .align import Unit, content_stems, forget_shared, other_languages, split_units, unit_similarity
from .claims import (
    UnitFacts,
    agreed_facts,
    cite_summary,
    find_conflicts,
    link_units,
    unaligned,
    unique_units,
    unit_of,
)
from .entities import (
    Mention,
    capitalised_names,
    fold,
    mentions_by_name,
    mentions_in_doc,
    merge_mentions,
    opening_dateline,
)
from .nlp import annotate, model_sentences, pipeline_for
from .quantities import find_quantities
from .quotes import NamedSpan, SpeakerResolver, find_quotes
from .timeline import build_timeline
from .unique import rank_unique

__all__ = ["Comparison", "compare_story"]


@dataclass(slots=True)
class Comparison:
    """What the articles of one story agree on, report alone or contradict; who is named, quoted, and when."""

    agreed: list[Claim] = field(default_factory=list)
    unique: list[UniqueFact] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)
    summary: list[SummarySentence] = field(default_factory=list)
    """The given summary, cited from the same alignment as ``agreed`` (empty when no summary was given)."""


def compare_story(
    articles: Sequence[Article], options: CompareOptions | None = None, summary: Sequence[SummarySentence] = ()
) -> Comparison:
    """Compare ``articles`` (one story, duplicates left out, sentences already split). With the story's
    ``summary``, its sentences are centred first in the agreed facts and re-cited from them, so "N sources" on a
    summary sentence and "agreed by N" under "Agreed" are one decision."""
    options = options or CompareOptions()
    sentences = [s for a in articles for s in a.sentences]
    texts = [s.text for s in sentences]
    cited = {(c.article_id, c.start) for s in summary for c in s.citations[:1]}
    first = [i for i, s in enumerate(sentences)
             if any(s.article_id == a and s.start <= start < s.end for a, start in cited)]  # fmt: skip
    chosen = model_sentences(texts, [s.index for s in sentences], first, options.model_sentences)
    docs, covered = _annotate(articles, texts, chosen, options)
    mentions: list[Mention] = []
    for i, (sentence, doc) in enumerate(zip(sentences, docs, strict=True)):
        if doc is not None:
            mentions.extend(mentions_in_doc(doc, sentence.article_id, sentence.start, sentence.text))
        elif sentence.start == 0 and i in covered:
            mentions.extend(opening_dateline(sentence.text, sentence.article_id))
    unread = [(s.article_id, s.start, s.text) for i, s in enumerate(sentences) if i not in chosen and i in covered]
    mentions += mentions_by_name(mentions, unread)
    mentions += _names_without_pipeline(articles, covered, mentions)
    entities, index = merge_mentions(mentions)
    named: dict[str, list[NamedSpan]] = {}
    for m in mentions:
        entity = entities[index[(m.article_id, m.start)]] if (m.article_id, m.start) in index else None
        if entity is not None:
            named.setdefault(m.article_id, []).append(NamedSpan(m.start, m.end, entity.name, entity.type))
    quotes: list[Quote] = []
    cursor = 0
    for article in articles:
        n = len(article.sentences)
        quotes.extend(find_quotes(article, article.sentences, docs[cursor : cursor + n],
                                  SpeakerResolver(named.get(article.id, []))))  # fmt: skip
        cursor += n

    dates = {a.id: article_dates(a) for a in articles}
    units: list[Unit] = [u for a in articles for u in split_units(a)]
    stems = [kept_call(kept_stems, (u.text, u.language), partial(content_stems, u.text, u.language)) for u in units]
    if len(articles) > 1:
        by_id = {a.id: a for a in articles}
        facts = [_unit_facts(unit, by_id[unit.article_id], dates[unit.article_id], named.get(unit.article_id, []))
                 for unit in units]  # fmt: skip
        counted = [any(q.counts for q in f.quantities) for f in facts]
        try:
            score, cosine = unit_similarity(units, options, stems, counted)
            other = other_languages(units, cross_lingual_model(options.cross_lingual))
            alignment = link_units(units, score, cosine, options, stems, other)
        finally:  # the story's n x n shared-stem counts: not kept until the next story
            forget_shared()
        del score, cosine  # the alignment holds what it needs
        conflicts = find_conflicts(alignment, facts, options)
    else:  # one article (most stories of a stream): no other article to agree with or contradict, nothing to score
        alignment, conflicts = unaligned(units, stems), []
    conflicts += speaker_conflicts(quotes, {e.name for e in entities if e.type == "person"})
    first = [i for i in (unit_of(units, s.citations[0]) for s in summary if s.citations) if i is not None]
    agreed = agreed_facts(alignment, first)
    lone = [(units[i], stems[i]) for i in unique_units(alignment, options)]
    every = [(u.article_id, s) for u, s in zip(units, stems, strict=True)]
    return Comparison(
        agreed=[fact.claim for fact in agreed],
        unique=rank_unique(lone, articles, quotes, every, options.unique_shown),
        conflicts=conflicts,
        quotes=quotes,
        entities=entities,
        timeline=build_timeline(articles, dates, conflicts),
        summary=cite_summary(summary, alignment, agreed),
    )


def _annotate(articles: Sequence[Article], texts: Sequence[str], chosen: set[int],
              options: CompareOptions) -> tuple[list[Any], set[int]]:
    """spaCy docs of the sentences ``texts`` of ``articles`` (in order), each article's through its language's
    pipeline (``nlp.pipeline_for``; ``chosen``: the sentences the model reads, see ``nlp.model_sentences``; None for
    the others), and the positions of the sentences whose article's language has a pipeline."""
    by_pipeline: dict[str | None, list[int]] = {}
    position = 0
    for article in articles:
        package = pipeline_for(article.language, options.spacy_model)
        by_pipeline.setdefault(package, []).extend(range(position, position + len(article.sentences)))
        position += len(article.sentences)
    docs: list[Any] = [None] * len(texts)
    covered: set[int] = set()
    for package, positions in by_pipeline.items():
        if package is not None:
            covered.update(positions)
            picked = {j for j, i in enumerate(positions) if i in chosen}
            for i, doc in zip(positions, annotate([texts[i] for i in positions], package, chosen=picked), strict=True):
                docs[i] = doc
    return docs, covered


def _names_without_pipeline(articles: Sequence[Article], covered: Collection[int],
                            known: Sequence[Mention]) -> list[Mention]:
    """Entities of the articles whose language has no spaCy pipeline (none of their sentences ``covered``): the
    names the pipelines found in the story's other articles, where the same words occur ("Contador", "Tour de
    France"), and else runs of capitalised words (``entities.capitalised_names``, type ``name``). Counted by the
    pipeline as "articles with entities by name only"."""
    found: list[Mention] = []
    cursor = 0
    for article in articles:
        n = len(article.sentences)
        if n and not any(i in covered for i in range(cursor, cursor + n)):
            sentences = [(article.id, s.start, s.text) for s in article.sentences]
            matched = mentions_by_name(known, sentences)
            code = (article.language or "").lower().split("-")[0]
            stop = stop_words(filler=False, language=code or None)
            capitalised = capitalised_names(sentences, stop, nouns_capitalised=code in ("de", "lb"))
            taken = [(m.start, m.end) for m in matched]
            found += matched + [m for m in capitalised if not any(a < m.end and m.start < b for a, b in taken)]
        cursor += n
    return found


kept_dates = kept_outputs("article dates")
"""``find_dates`` of an article by (its text, its publication day); ``kept_stems``: ``content_stems`` by (unit text,
language); ``kept_quantities``: ``find_quantities`` by (article text, unit span, dates skipped, language). Kept
across stories and batches (``embed.kept_call``): a story one article joined reads its earlier members' from here."""
kept_stems = kept_outputs("unit stems")
kept_quantities = kept_outputs("unit figures")


def article_dates(article: Article) -> list[DateMention]:
    """The date expressions of ``article`` resolved against its publication day (``text.dates.find_dates``)."""
    day = article.published.date() if article.published else None
    return list(kept_call(kept_dates, (article.text, day), lambda: tuple(find_dates(article.text, day))))


def _unit_facts(unit: Unit, article: Article, dates: Sequence[DateMention], named: Sequence[NamedSpan]) -> UnitFacts:
    """The figures, dates and places of one unit, for conflict detection."""
    inside = [d for d in dates if unit.start <= d.start < unit.end]
    skip = tuple((d.start, d.end) for d in inside)
    found = list(kept_call(kept_quantities, (article.text, unit.start, unit.end, skip, unit.language),
                           lambda: tuple(find_quantities(article.text, unit.start, unit.end, skip, unit.language))))
    names = [n for n in named if unit.start <= n.start < unit.end]
    return UnitFacts(
        quantities=found,
        holders=[_holder(names, q.start) for q in found],
        dates=inside,
        places=frozenset(n.name for n in names if n.kind == "place"),
        published=article.published.date() if article.published else None,
    )


def _holder(names: Sequence[NamedSpan], position: int) -> tuple[str, ...]:
    """The people and organizations named before ``position`` in the same unit, in order: whose figure it is."""
    return tuple(n.name for n in names if n.end <= position and n.kind in {"person", "organization"})


def _same_speaker(a: str, b: str) -> bool:
    """"Alishbandi" and "Heydar Alishbandi", "Orange" and "Orange officials" name one speaker."""
    words_a, words_b = set(fold(a).split()), set(fold(b).split())
    if fold(a).replace(" ", "") == fold(b).replace(" ", ""):
        return True  # "DelGiudice" and "Del Giudice"
    return fold(a).split()[-1:] == fold(b).split()[-1:] or words_a <= words_b or words_b <= words_a


def speaker_conflicts(quotes: Sequence[Quote], people: set[str], overlap: float = 0.6) -> list[Conflict]:
    """The same words attributed to different named people by different articles (a body relaying a person's
    words, or "the company" for a name, is not a conflict)."""
    conflicts = []
    stems = [content_stems(q.text) for q in quotes]
    for i, a in enumerate(quotes):
        for j in range(i + 1, len(quotes)):
            b = quotes[j]
            if a.article_id == b.article_id or a.speaker not in people or b.speaker not in people:
                continue
            if _same_speaker(a.speaker, b.speaker):
                continue
            total = len(stems[i]) + len(stems[j])
            if total and 2 * len(stems[i] & stems[j]) / total >= overlap and len(stems[i] & stems[j]) >= 3:
                sides = [ConflictSide(a.speaker, a.article_id, a.start, a.end),
                         ConflictSide(b.speaker, b.article_id, b.start, b.end)]  # fmt: skip
                conflicts.append(Conflict("who said it", sides))
    return conflicts
