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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from ..config import CompareOptions
from ..models import Citation, Claim, Conflict, ConflictSide, Span
from ..text.dates import DateMention
from ..text.tokens import stem, stop_words
from .align import STEM_PREFIX, Unit, content_stems, rare_stems
from .quantities import Quantity

_WEEKDAY = re.compile(r"monday|tuesday|wednesday|thursday|friday|saturday|sunday", re.IGNORECASE)
_REPORTED = re.compile(
    r"\b(?:said|says|saying|told|reported|announced|added|confirmed|stated|described|quoted)\b(?:\s+[\w’'-]+){0,4}?"
    r"\s+(?:on\s+)?$",
    re.IGNORECASE,
)
_EVENT_WORD = re.compile(r"[A-Za-z][\w’'-]+")
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
        groups = _per_article(units, score[center], [int(j) for j in np.flatnonzero(linked[center]) if j not in taken])
        if not groups:
            continue
        taken.add(center)
        unit = units[center]
        citations = [Citation(unit.article_id, unit.start, unit.end, 1.0)]
        in_text_order = sorted(groups, key=lambda g: (units[g[0][0]].article_id, min(units[j].start for j in g[0])))
        for members, best in in_text_order:
            taken.update(members)
            first = min(members, key=lambda j: units[j].start)
            last = max(members, key=lambda j: units[j].end)
            citations.append(Citation(units[first].article_id, units[first].start, units[last].end, round(best, 3)))
        claims.append((center, Claim(text=unit.text, citations=citations)))
    claims.sort(key=lambda item: (-len({c.article_id for c in item[1].citations}), units[item[0]].article_id,
                                  units[item[0]].start))  # fmt: skip
    return [claim for _, claim in claims]


_ADJACENT = 3
"""Units of one article at most this many characters apart are consecutive sentences (a space or line break)."""


def _per_article(units: Sequence[Unit], scores: np.ndarray, candidates: Sequence[int]) -> list[tuple[list[int], float]]:
    """The units linked to a claim's centre, one group per article: a claim cites each article once.

    The group is the closest unit and the linked units that run on from it without a gap (a fact the centre
    states in one sentence and the article in two consecutive ones); the article's other units stay free to
    centre or join other claims. Each group comes with its best score.
    """
    by_article: dict[str, list[int]] = {}
    for j in candidates:
        by_article.setdefault(units[j].article_id, []).append(int(j))
    groups = []
    for members in by_article.values():
        best = max(members, key=lambda j: (float(scores[j]), -j))
        chosen = [best]
        start, end = units[best].start, units[best].end
        for j in sorted(members, key=lambda j: units[j].start):
            if j != best and 0 <= units[j].start - end <= _ADJACENT:
                chosen.append(j)
                end = units[j].end
        for j in sorted(members, key=lambda j: -units[j].start):
            if j not in chosen and 0 <= start - units[j].end <= _ADJACENT:
                chosen.append(j)
                start = units[j].start
        groups.append((chosen, float(scores[best])))
    return groups


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


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What one unit states that can conflict with another: figures (and the entity named before each), dates,
    the places it names and its article's publication day."""

    quantities: Sequence[Quantity] = ()
    holders: Sequence[tuple[str, ...]] = ()
    """For each figure, the people and organizations named before it in the unit."""
    dates: Sequence[DateMention] = ()
    places: frozenset[str] = frozenset()
    published: date | None = None


_TALLIES = frozenset({"dead", "injured", "hospitalized", "missing", "arrested", "evacuated"})
"""Counts that grow while a story unfolds: reports of different days give different figures without conflict."""


def _same_setting(a: UnitFacts, b: UnitFacts) -> bool:
    """Whether two units can speak of the same happening: they name a common place when both name places, and
    the same explicit years ("killed 26,000 in Bam in December 2003" is not today's quake)."""
    if a.places and b.places and not a.places & b.places:
        return False
    return _years(a) == _years(b)


def _years(facts: UnitFacts) -> frozenset[str]:
    return frozenset(d.date[:4] for d in facts.dates if d.date and d.anchor is None)


def find_conflicts(alignment: Alignment, facts: Sequence[UnitFacts], options: CompareOptions) -> list[Conflict]:
    """Pairs of units about the same thing (linked, or scoring at least ``options.conflict``) whose figures or
    dates cannot both be true; ``facts[i]`` is what unit ``i`` states (figures of different people or bodies,
    places or years are not compared)."""
    units, stems = alignment.units, alignment.stems
    conflicts: list[Conflict] = []
    seen: set[tuple[str, int, int, str, int, int, str]] = set()
    counted = options.conflict_match == "counted"
    close = alignment.linked | (alignment.score >= options.conflict)
    # Figures that say what they count ("12 injured", "14 hurt") are compared in less close units too.
    candidates = close | (alignment.score >= options.conflict_counted) if counted else close
    for i, j in zip(*np.nonzero(np.triu(candidates, 1)), strict=True):
        a, b = units[i], units[j]
        fa, fb = facts[i], facts[j]
        common = stems[i] & stems[j]
        if a.article_id == b.article_id or len(common) < options.conflict_shared:
            continue
        if counted and not _same_setting(fa, fb):
            continue
        near = bool(close[i, j])
        other_day = fa.published is not None and fb.published is not None and fa.published != fb.published
        for qa, holder in zip(fa.quantities, fa.holders, strict=True):
            if counted and other_day and qa.counts in _TALLIES:
                continue
            others = [
                qb
                for qb, h in zip(fb.quantities, fb.holders, strict=True)
                if qb.unit == qa.unit
                and _same_holder(holder, h, counted)
                and _same_thing(qa, qb, options.conflict_match)
                and (near or (qa.counts and qa.counts == qb.counts))
            ]
            if not others or any(qa.agrees_with(qb) for qb in others):
                continue
            mine = [q for q, h in zip(fa.quantities, fa.holders, strict=True)
                    if q.unit == qa.unit and _same_holder(h, holder, counted)]  # fmt: skip
            qb = others[0]
            if any(q.agrees_with(qb) for q in mine):
                continue
            key = (a.article_id, a.start, b.start, b.article_id, int(qa.low), int(qb.low), qa.unit)
            if key in seen:
                continue
            seen.add(key)
            conflicts.append(Conflict(_unit_name(qa), [ConflictSide(qa.written, a.article_id, a.start, a.end),
                                              ConflictSide(qb.written, b.article_id, b.start, b.end)]))  # fmt: skip
        if not near:
            continue
        # A dateline or a sentence naming several days is not one dated fact.
        one_date_each = len(fa.dates) == 1 and len(fb.dates) == 1
        statements = min(len(a.text.split()), len(b.text.split())) >= options.min_unique_words
        reported = any(_REPORTED.search(a.text[: d.start - a.start]) for d in fa.dates) or any(
            _REPORTED.search(b.text[: d.start - b.start]) for d in fb.dates
        )  # "police said Saturday" dates the report, not the event
        same_event = one_date_each and (not counted or _same_event(a, fa.dates[0], b, fb.dates[0]))
        # "voted on Monday" and "overtopped its banks on August 4th" date two events
        conflict = _date_conflict(fa.dates, fb.dates) if same_event and statements and not reported else None
        if conflict:
            da, db = conflict
            conflicts.append(Conflict("date", [ConflictSide(da.expression, a.article_id, a.start, a.end),
                                               ConflictSide(db.expression, b.article_id, b.start, b.end)]))  # fmt: skip
    return merge_conflicts(conflicts)


def merge_conflicts(conflicts: Sequence[Conflict]) -> list[Conflict]:
    """One conflict per disagreement: pairs about the same thing, between the same two values, that share a side
    (the same value in the same article) are one ("$4 million" in one paper against "$3.2 million" in two
    others), each article and value listed once."""
    def value(side: ConflictSide) -> str:
        return " ".join(side.value.lower().split())

    def side_key(conflict: Conflict, side: ConflictSide) -> tuple[str, frozenset[str], str, str]:
        return conflict.about, frozenset(value(s) for s in conflict.sides), side.article_id, value(side)

    parent = list(range(len(conflicts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, frozenset[str], str, str], int] = {}
    for i, conflict in enumerate(conflicts):
        for side in conflict.sides:
            key = side_key(conflict, side)
            if key in owner:
                parent[root(i)] = root(owner[key])
            else:
                owner[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(conflicts)):
        groups.setdefault(root(i), []).append(i)
    merged = []
    for members in sorted(groups.values()):
        sides: dict[tuple[str, str], ConflictSide] = {}
        for i in members:
            for side in conflicts[i].sides:
                sides.setdefault((side.article_id, value(side)), side)
        merged.append(Conflict(conflicts[members[0]].about, list(sides.values())))
    return merged


def _same_holder(a: tuple[str, ...], b: tuple[str, ...], counted: bool) -> bool:
    """Whether two figures can be the same body's. ``counted`` rule: the people and organizations named before
    one are all named before the other ("the Red Sox offer Teixeira $200 million" and "the Nationals offered
    Teixeira $160 million" are two offers); earlier rule: the same entity named last before each."""
    if counted:
        return set(a) <= set(b) or set(b) <= set(a)
    return a[-1:] == b[-1:]


def _same_thing(a: Quantity, b: Quantity, match: str) -> bool:
    """Whether two figures of one unit count the same thing: by what each counts when both say it ("injured"
    and "hurt" do, "killed" and "injured" do not), else by a shared word around them."""
    if match == "counted" and a.counts and b.counts:
        return a.counts == b.counts
    return bool(a.context & b.context)


_EVENT_REACH = 3
"""Content words on each side of a date that name what happened on it."""


def _date_context(unit: Unit, date: DateMention) -> frozenset[str]:
    """Stems of the content words just before a date in its unit (what happened then: "the ferry sank on"), or
    just after it when none precede ("Tuesday's attack")."""
    offset = date.start - unit.start
    stop = stop_words(filler=False)
    before = [w for w in _EVENT_WORD.findall(unit.text[:offset]) if w.lower() not in stop][-_EVENT_REACH:]
    if not before:
        after = unit.text[offset + len(date.expression) :]
        before = [w for w in _EVENT_WORD.findall(after) if w.lower() not in stop][:_EVENT_REACH]
    return frozenset(stem(w, STEM_PREFIX) for w in before)


def _same_event(a: Unit, date_a: DateMention, b: Unit, date_b: DateMention) -> bool:
    """Whether two dates are given to the same happening: a content word near one is near the other."""
    return bool(_date_context(a, date_a) & _date_context(b, date_b))


def _unit_name(q: Quantity) -> str:
    """What a figure is about, for ``Conflict.about``: "cost ($)", "amount (€)", "percentage", "people injured".

    Only what the figure itself says: the words the two sentences share are often names ("Ashford, Vale's"),
    not what is disputed, so they are not part of the label."""
    if q.unit in {"$", "€", "£"}:
        return f"{'cost' if q.counts == 'cost' else 'amount'} ({q.unit})"
    if q.unit == "percent":
        return "percentage"
    word = q.written.split()[-1]
    return f"{word} {q.counts}" if q.counts and q.counts != "cost" and q.counts != word.lower() else word


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
