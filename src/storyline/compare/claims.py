"""Agreed, unique and conflicting claims of a story from the pairwise scores of its units.

Two units of different articles state the same fact when their paraphrase score reaches ``agree``, or when
they share a story-rare word (one that each article uses in a single unit: "drone", "White House") and their
embedding cosine reaches ``anchor_cosine``. Agreed claims are star clusters over those links (no chaining).
A unit is unique when nothing in another article states it, or when it shares only one specific point with
another article (a rare-word link, no paraphrase) and most of its content words appear in no other article.
Conflicts are linked units, or close ones, giving different figures or dates for the same thing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..config import CompareOptions
from ..models import Citation, Claim, Conflict, ConflictSide, Span
from ..text.dates import DateMention
from .align import Unit, content_stems
from .quantities import Quantity

_WEEKDAY = re.compile(r"monday|tuesday|wednesday|thursday|friday|saturday|sunday", re.IGNORECASE)
_REPORTED = re.compile(
    r"\b(?:said|says|saying|told|reported|announced|added|confirmed|stated|described|quoted)\b(?:\s+[\w’'-]+){0,4}?"
    r"\s+(?:on\s+)?$",
    re.IGNORECASE,
)
_TERMINAL = (".", "!", "?", '"', "”", "’", "'", ")")


@dataclass(slots=True)
class Alignment:
    """Which units of a story state the same fact, with the scores behind it."""

    units: list[Unit]
    score: np.ndarray
    cosine: np.ndarray
    linked: np.ndarray
    """``linked[i, j]``: units i and j (of different articles) state the same fact."""
    stems: list[frozenset[str]]
    """Content stems of each unit, computed once."""


def rare_stems(units: Sequence[Unit], stems: Sequence[frozenset[str]]) -> set[str]:
    """Stems that no article uses in more than one unit: the specific words of one fact."""
    per_article: Counter[tuple[str, str]] = Counter()
    for unit, unit_stems in zip(units, stems, strict=True):
        for s in unit_stems:
            per_article[(unit.article_id, s)] += 1
    repeated = {s for (_, s), n in per_article.items() if n > 1}
    return {s for unit_stems in stems for s in unit_stems} - repeated


def link_units(
    units: list[Unit],
    score: np.ndarray,
    cosine: np.ndarray,
    options: CompareOptions,
    stems: list[frozenset[str]] | None = None,
) -> Alignment:
    """Decide which pairs of units state the same fact (``stems``: each unit's content stems, if already known)."""
    stems = stems if stems is not None else [content_stems(u.text) for u in units]
    rare = rare_stems(units, stems)
    linked = score >= options.agree
    for i, j in zip(*np.nonzero((cosine >= options.anchor_cosine) & ~linked), strict=True):
        if i < j and units[i].article_id != units[j].article_id and stems[i] & stems[j] & rare:
            linked[i, j] = linked[j, i] = True
    articles = np.array([u.article_id for u in units])
    same = articles[:, None] == articles[None, :]
    linked &= ~same if len(units) else linked
    return Alignment(units, score, cosine, linked, stems)


def agreed_claims(alignment: Alignment) -> list[Claim]:
    """Facts stated by two or more articles: a central unit and the units of other articles linked to it."""
    units, linked, score = alignment.units, alignment.linked, alignment.score
    degree = [len({units[j].article_id for j in np.flatnonzero(linked[i])}) for i in range(len(units))]
    order = sorted(range(len(units)), key=lambda i: (-degree[i], -float(score[i][linked[i]].sum()), i))
    taken: set[int] = set()
    claims: list[tuple[int, Claim]] = []
    for center in order:
        if center in taken or degree[center] == 0:
            continue
        members = [j for j in np.flatnonzero(linked[center]) if j not in taken]
        if not members:
            continue
        taken.add(center)
        taken.update(int(j) for j in members)
        unit = units[center]
        citations = [Citation(unit.article_id, unit.start, unit.end, 1.0)]
        for j in sorted(members, key=lambda j: (units[j].article_id, units[j].start)):
            other = units[j]
            citations.append(Citation(other.article_id, other.start, other.end, round(float(score[center, j]), 3)))
        claims.append((center, Claim(text=unit.text, citations=citations)))
    claims.sort(key=lambda item: (-len({c.article_id for c in item[1].citations}), units[item[0]].article_id,
                                  units[item[0]].start))  # fmt: skip
    return [claim for _, claim in claims]


def _is_statement(unit: Unit, min_words: int) -> bool:
    return len(unit.text.split()) >= min_words and unit.text.rstrip().endswith(_TERMINAL)


def unique_claims(alignment: Alignment, options: CompareOptions) -> list[Span]:
    """Statements only one article makes: not linked to any other article, or linked by one shared word only
    and mostly made of words no other article uses."""
    units, stems = alignment.units, alignment.stems
    if len({u.article_id for u in units}) < 2:
        return []
    by_article: dict[str, set[str]] = {}
    for unit, unit_stems in zip(units, stems, strict=True):
        by_article.setdefault(unit.article_id, set()).update(unit_stems)
    found = []
    for i, unit in enumerate(units):
        if not _is_statement(unit, options.min_unique_words) or not stems[i]:
            continue
        elsewhere = set().union(*(s for a, s in by_article.items() if a != unit.article_id))
        novelty = len(stems[i] - elsewhere) / len(stems[i])
        strongly = bool((alignment.linked[i] & (alignment.score[i] >= options.agree)).any())
        if not alignment.linked[i].any() or (not strongly and novelty >= options.novelty):
            found.append(Span(unit.article_id, unit.start, unit.end, unit.text))
    return found


def _shared_words(a: Unit, common: frozenset[str]) -> list[str]:
    words: list[str] = []
    for word in a.text.replace(",", " ").split():
        clean = word.strip(".,;:!?\"“”'’()")
        if clean and content_stems(clean) & common and clean.lower() not in {w.lower() for w in words}:
            words.append(clean)
    return words[:3]


def find_conflicts(
    alignment: Alignment,
    quantities: Sequence[Sequence[Quantity]],
    dates: Sequence[Sequence[DateMention]],
    options: CompareOptions,
    holders: Sequence[Sequence[str | None]] | None = None,
) -> list[Conflict]:
    """Pairs of units about the same thing (linked, or scoring at least ``options.conflict``) whose figures or
    dates cannot both be true; ``quantities[i]`` and ``dates[i]`` are those found in unit ``i``, ``holders[i][k]``
    the entity last named before figure ``k`` (figures of different people or bodies are not compared)."""
    units, stems = alignment.units, alignment.stems
    conflicts: list[Conflict] = []
    seen: set[tuple[str, int, int, str, int, int, str]] = set()
    close = alignment.linked | (alignment.score >= options.conflict)
    for i, j in zip(*np.nonzero(np.triu(close, 1)), strict=True):
        a, b = units[i], units[j]
        common = stems[i] & stems[j]
        if a.article_id == b.article_id or len(common) < options.conflict_shared:
            continue
        context = ", ".join(_shared_words(a, common))
        held_a = holders[i] if holders else [None] * len(quantities[i])
        held_b = holders[j] if holders else [None] * len(quantities[j])
        for qa, holder in zip(quantities[i], held_a, strict=True):
            others = [
                qb
                for qb, h in zip(quantities[j], held_b, strict=True)
                if qb.unit == qa.unit and h == holder and qa.context & qb.context
            ]
            if not others or any(qa.agrees_with(qb) for qb in others):
                continue
            mine = [q for q, h in zip(quantities[i], held_a, strict=True) if q.unit == qa.unit and h == holder]
            qb = others[0]
            if any(q.agrees_with(qb) for q in mine):
                continue
            key = (a.article_id, a.start, b.start, b.article_id, int(qa.low), int(qb.low), qa.unit)
            if key in seen:
                continue
            seen.add(key)
            about = f"{_unit_name(qa)} ({context})" if context else _unit_name(qa)
            conflicts.append(Conflict(about, [ConflictSide(qa.written, a.article_id, a.start, a.end),
                                              ConflictSide(qb.written, b.article_id, b.start, b.end)]))  # fmt: skip
        # A dateline or a sentence naming several days is not one dated fact.
        one_date_each = len(dates[i]) == 1 and len(dates[j]) == 1
        statements = min(len(a.text.split()), len(b.text.split())) >= options.min_unique_words
        reported = any(_REPORTED.search(a.text[: d.start - a.start]) for d in dates[i]) or any(
            _REPORTED.search(b.text[: d.start - b.start]) for d in dates[j]
        )  # "police said Saturday" dates the report, not the event
        conflict = _date_conflict(dates[i], dates[j]) if one_date_each and statements and not reported else None
        if conflict:
            da, db = conflict
            about = f"date ({context})" if context else "date"
            conflicts.append(Conflict(about, [ConflictSide(da.expression, a.article_id, a.start, a.end),
                                              ConflictSide(db.expression, b.article_id, b.start, b.end)]))  # fmt: skip
    return conflicts


def _unit_name(q: Quantity) -> str:
    if q.unit in {"$", "€", "£"}:
        return f"amount ({q.unit})"
    return q.written.split()[-1] if q.unit != "percent" else "percentage"


def _comparable(a: DateMention, b: DateMention) -> bool | None:
    """Whether two dates can be the same day: ``None`` when they cannot be compared."""
    if a.date and b.date and len(a.date) == len(b.date) and ("W" in a.date) == ("W" in b.date):
        return a.date == b.date
    day_a, day_b = _WEEKDAY.search(a.expression), _WEEKDAY.search(b.expression)
    if day_a and day_b and a.date is None and b.date is None:
        return day_a.group(0).lower() == day_b.group(0).lower()
    if a.date and b.date and (a.date.startswith(b.date) or b.date.startswith(a.date)):
        return True  # "Friday night" and "Friday", "August 2017" and "August 4, 2017"
    return None


def _date_conflict(
    mine: Sequence[DateMention], theirs: Sequence[DateMention]
) -> tuple[DateMention, DateMention] | None:
    """Two dates of the same precision that differ, when no date of one side matches a date of the other."""
    pairs = [(a, b, _comparable(a, b)) for a in mine for b in theirs]
    if any(same for _, _, same in pairs):
        return None
    for a, b, same in pairs:
        if same is False:
            return a, b
    return None
