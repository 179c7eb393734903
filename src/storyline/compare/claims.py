"""Agreed, unique and conflicting claims of a story from the pairwise scores of its units.

Two units of different articles state the same fact when their agreement score (embedding cosine and the
share of the shorter unit's content words the other uses) reaches ``agree`` and both state a fact (a dateline
does not). Agreed claims are star clusters over those links (no chaining); a unit linked to nothing in another
article is unique, so no sentence is both. The summary's citations are read from the same links.
Conflicts are linked units, or close ones, giving different figures or dates for the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from ..config import CompareOptions
from ..models import Citation, Claim, Conflict, ConflictSide, SummarySentence, UniqueFact
from ..text.dates import DateMention
from ..text.tokens import stem, stop_words
from .align import (
    STEM_PREFIX,
    OtherLanguages,
    Unit,
    article_codes,
    content_stems,
    is_english,
    row_blocks,
    states_fact,
    stem_coverage_rows,
)
from .quantities import Quantity

_WEEKDAY = re.compile(r"monday|tuesday|wednesday|thursday|friday|saturday|sunday", re.IGNORECASE)
_REPORTED = re.compile(
    r"\b(?:said|says|saying|told|reported|announced|added|confirmed|stated|described|quoted)\b(?:\s+[\w’'-]+){0,4}?"
    r"\s+(?:on\s+)?$",
    re.IGNORECASE,
)
_REPORTED_ELSEWHERE = re.compile(
    r"(?:\b(?:dijo|dijeron|informó|informaron|anunció|anunciaron|declaró|afirmó|confirmó|explicó|"
    r"a\s+(?:déclaré|dit|annoncé|indiqué|affirmé|confirmé|expliqué)|ont\s+(?:déclaré|dit|annoncé|indiqué)|"
    r"sagte|sagten|erklärte|erklärten|teilte|teilten|berichtete|berichteten|bestätigte|"
    r"disse|dichiarato|annunciato|afirmou|anunciou|declarou)\b)(?:\s+[\w’'-]+){0,4}?\s+(?:el\s+|le\s+|am\s+)?$",
    re.IGNORECASE,
)
"""Speech verbs of Spanish, French, German, Italian and Portuguese before a date: the date of a report."""
_EVENT_WORD = re.compile(r"[A-Za-z][\w’'-]+")
_TERMINAL = (".", "!", "?", '"', "”", "’", "'", ")", "»", "।", "؟", "。")


@dataclass(slots=True)
class Alignment:
    """Which units of a story state the same fact, with the scores behind it: the one decision the story's
    "Agreed", "Only one source", conflicts and the summary's "N sources" marks all read."""

    units: list[Unit]
    score: np.ndarray
    """Paraphrase score (embedding cosine and content-stem Dice) of every pair: how close two units are."""
    cosine: np.ndarray
    agreement: np.ndarray
    """Agreement score of every pair (embedding cosine and stem coverage): how sure it is that they state one fact."""
    linked: np.ndarray
    """``linked[i, j]``: units i and j (of different articles) state the same fact (``agreement >= agree``)."""
    stems: list[frozenset[str]]
    """Content stems of each unit, computed once."""
    across: np.ndarray | None = None
    """Pairs not both English whose cross-lingual cosine reaches the model's conflict bar: their figures and dates
    are compared (the English paraphrase score cannot see them); None when every unit is English or no model."""


def link_units(
    units: list[Unit],
    score: np.ndarray,
    cosine: np.ndarray,
    options: CompareOptions,
    stems: list[frozenset[str]] | None = None,
    other: OtherLanguages | None = None,
) -> Alignment:
    """Decide which pairs of units state the same fact (``stems``: each unit's content stems, if already known).

    Pairs not both English (``other``) agree when their cross-lingual cosine reaches the model's bar (their
    agreement is that cosine moved onto the English scale: ``agree`` + cosine - bar); their paraphrase score is 0,
    so the English conflict rules never read them: such a pair's figures and dates are compared when its cosine
    reaches the model's conflict bar (``Alignment.across``).

    The agreement score is ``agree_weight`` x embedding cosine + the rest x coverage (the share of the shorter
    unit's content stems the other uses); pairs reaching ``options.agree`` are linked, when both units state a
    fact (not datelines or timestamps). On the 350 judged pairs of bench/labels/compare_agree.json this is
    precise where the earlier rule (paraphrase score >= 0.5, or a shared story-rare word at cosine 0.45) linked
    same-topic sentences with different facts (bench/RESULTS.md, issue 17)."""
    stems = stems if stems is not None else [content_stems(u.text, u.language) for u in units]
    weight = options.agree_weight
    n = len(units)
    agreement = np.empty((n, n), dtype=np.float32)
    for block, coverage in stem_coverage_rows(units, stems):  # by blocks of rows: no n x n intermediates
        agreement[block] = weight * cosine[block] + (1.0 - weight) * coverage
    across = None
    if other is not None:
        if other.conflict < 1.0:
            across = other.pairs & (other.cosine >= other.conflict)
        agreement[other.pairs] = options.agree + other.cosine[other.pairs] - other.bar
        cosine, score = cosine.copy(), score.copy()
        cosine[other.pairs] = other.cosine[other.pairs]
        score[other.pairs] = 0.0
    facts = np.array([states_fact(u.text, u.language) for u in units], dtype=bool)
    codes = article_codes(units)
    linked = np.empty((n, n), dtype=bool)
    for block in row_blocks(n):
        linked[block] = (agreement[block] >= options.agree) & (codes[block, None] != codes[None, :])
        linked[block] &= facts[block, None] & facts[None, :]
    return Alignment(units, score, cosine, agreement, linked, stems, across)


def unaligned(units: list[Unit], stems: list[frozenset[str]]) -> Alignment:
    """The alignment of units no pair of which can link (one article's: only pairs of different articles are
    scored), without scoring any pair: what :func:`link_units` decides for them, for none of its cost."""
    zeros = np.zeros((len(units), len(units)), dtype=np.float32)
    return Alignment(units, zeros, zeros, zeros, zeros.astype(bool), stems)


@dataclass(slots=True)
class AgreedFact:
    """A fact two or more articles state: the claim shown under "Agreed" and the units it is made of."""

    claim: Claim
    units: list[int]
    """Indices of its units in the alignment, the centre first: the cited ones, and the other units of a cited
    article linked to the centre (a headline and a lead stating one fact; the claim cites the article once)."""


def agreed_facts(alignment: Alignment, first: Sequence[int] = ()) -> list[AgreedFact]:
    """Facts stated by two or more articles: a central unit and the units of other articles linked to it (star
    clusters, no chaining). Units in ``first`` (the summary's sentences) are tried as centres before the others,
    so a summary sentence that several articles state is the claim's text and cites exactly the claim's sources."""
    units, linked, agreement = alignment.units, alignment.linked, alignment.agreement
    degree = [len({units[j].article_id for j in np.flatnonzero(linked[i])}) for i in range(len(units))]
    preferred = set(first)
    def priority(i: int) -> tuple[bool, int, float, int]:
        return i not in preferred, -degree[i], -float(agreement[i][linked[i]].sum()), i

    order = sorted(range(len(units)), key=priority)
    taken: set[int] = set()
    found: list[tuple[int, AgreedFact]] = []
    for center in order:
        if center in taken or degree[center] == 0:
            continue
        free = [int(j) for j in np.flatnonzero(linked[center]) if j not in taken]
        groups = _per_article(units, agreement[center], free)
        if not groups:
            continue
        taken.add(center)
        unit = units[center]
        citations = [Citation(unit.article_id, unit.start, unit.end, 1.0)]
        members = [center]
        in_text_order = sorted(groups, key=lambda g: (units[g[0][0]].article_id, min(units[j].start for j in g[0])))
        for group, best in in_text_order:
            # the article's other units linked to the centre state the fact too: members, cited through the group
            same = [j for j in free if units[j].article_id == units[group[0]].article_id]
            taken.update(same)
            members.extend(sorted(same, key=lambda j: (j not in group, units[j].start)))
            first_unit = min(group, key=lambda j: units[j].start)
            last_unit = max(group, key=lambda j: units[j].end)
            citations.append(Citation(units[first_unit].article_id, units[first_unit].start, units[last_unit].end,
                                      round(best, 3)))  # fmt: skip
        found.append((center, AgreedFact(Claim(text=unit.text, citations=citations), members)))
    _attach_rest(alignment, [fact for _, fact in found], taken)
    found.sort(key=lambda item: (-len({c.article_id for c in item[1].claim.citations}), units[item[0]].article_id,
                                 units[item[0]].start))  # fmt: skip
    return [fact for _, fact in found]


def _attach_rest(alignment: Alignment, facts: list[AgreedFact], taken: set[int]) -> None:
    """A linked unit no fact took (its partners joined facts centred elsewhere) joins the fact of its best-scoring
    partner: it states that partner's fact. A new article is cited for it; an article already cited is not again."""
    units, linked, agreement = alignment.units, alignment.linked, alignment.agreement
    fact_of = {i: k for k, fact in enumerate(facts) for i in fact.units}
    for i in range(len(units)):
        if i in taken or not linked[i].any():
            continue
        partners = [int(j) for j in np.flatnonzero(linked[i]) if int(j) in fact_of]
        if not partners:
            continue
        best = max(partners, key=lambda j: (float(agreement[i, j]), -j))
        fact = facts[fact_of[best]]
        fact.units.append(i)
        taken.add(i)
        if units[i].article_id not in {c.article_id for c in fact.claim.citations}:
            fact.claim.citations.append(Citation(units[i].article_id, units[i].start, units[i].end,
                                                 round(float(agreement[i, best]), 3)))  # fmt: skip



def agreed_claims(alignment: Alignment) -> list[Claim]:
    """The claims of :func:`agreed_facts`."""
    return [fact.claim for fact in agreed_facts(alignment)]


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


def is_statement(unit: Unit, min_words: int) -> bool:
    """A unit that can be listed on its own: ``min_words`` words or more, ending like a sentence, not a dateline."""
    return len(unit.text.split()) >= min_words and unit.text.rstrip().endswith(_TERMINAL) \
        and states_fact(unit.text, unit.language)


def unique_units(alignment: Alignment, options: CompareOptions) -> list[int]:
    """Statements only one article makes: units linked to no unit of another article (so never part of an agreed
    fact: a sentence is agreed or unique, not both). Pairs below the agreement bar stay here."""
    units = alignment.units
    if len({u.article_id for u in units}) < 2:
        return []
    lone = np.logical_not(np.asarray(alignment.linked).any(axis=1))
    return [i for i, unit in enumerate(units)
            if lone[i] and alignment.stems[i] and is_statement(unit, options.min_unique_words)]  # fmt: skip


def unit_of(units: Sequence[Unit], span: Citation) -> int | None:
    """The unit a summary sentence is (a summary may cite a sentence without its dateline: the unit holding it)."""
    return next((i for i, u in enumerate(units)
                 if u.article_id == span.article_id and u.start <= span.start < u.end), None)  # fmt: skip


def cite_summary(
    summary: Sequence[SummarySentence], alignment: Alignment, agreed: Sequence[AgreedFact]
) -> list[SummarySentence]:
    """The summary's sentences cited from the story's one alignment: a sentence in an agreed fact cites the fact's
    sources (its own span first), any other sentence only itself. A sentence of an article that was not compared
    (another language) keeps the citations it came with."""
    units = alignment.units
    fact_of = {i: k for k, fact in enumerate(agreed) for i in fact.units}
    compared = {u.article_id for u in units}
    cited = []
    for sentence in summary:
        own = sentence.citations[0] if sentence.citations else None
        if own is None or own.article_id not in compared:
            cited.append(sentence)
            continue
        i = unit_of(units, own)
        k = fact_of.get(i) if i is not None else None
        if k is None and i is not None and alignment.linked[i].any():
            # linked, but its article is cited in the fact by a neighbouring sentence: the fact of its best partner
            partner = max(np.flatnonzero(alignment.linked[i]), key=lambda j: float(alignment.agreement[i, j]))
            k = fact_of.get(int(partner))
        citations = [Citation(own.article_id, own.start, own.end, 1.0)]
        if k is not None:
            citations += [c for c in agreed[k].claim.citations if c.article_id != own.article_id]
        cited.append(SummarySentence(sentence.text, citations, sentence.language))
    return cited


def cite_from_facts(summary: Sequence[SummarySentence], agreed: Sequence[Claim],
                    unique: Sequence[UniqueFact]) -> list[SummarySentence]:
    """A summary made after the comparison (the reader's language, ``?lang=``) cited from the story's stored facts,
    as :func:`cite_summary` cites the summary the comparison saw: a sentence inside a cited span of an agreed fact
    cites the fact's articles, in any language (its own span first); a sentence the comparison found in one article
    only cites itself; any other (its article was not compared) keeps its citations."""
    cited = []
    for sentence in summary:
        own = sentence.citations[0] if sentence.citations else None
        if own is None:
            cited.append(sentence)
            continue
        fact = next((claim for claim in agreed if any(_holds(c, own) for c in claim.citations)), None)
        if fact is not None:
            others = [c for c in fact.citations if c.article_id != own.article_id]
            cited.append(SummarySentence(sentence.text, [Citation(own.article_id, own.start, own.end, 1.0), *others],
                                         sentence.language))  # fmt: skip
        elif any(u.article_id == own.article_id and u.start <= own.start < u.end for u in unique):
            cited.append(SummarySentence(sentence.text, [Citation(own.article_id, own.start, own.end, 1.0)],
                                         sentence.language))  # fmt: skip
        else:
            cited.append(sentence)
    return cited


def _holds(span: Citation, own: Citation) -> bool:
    """Whether the cited ``span`` holds the start of the sentence ``own``."""
    return span.article_id == own.article_id and span.start <= own.start < max(span.end, span.start + 1)


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


@dataclass(frozen=True, slots=True)
class _Setting:
    """What :func:`_same_setting` and the date rules read of one unit, computed once per unit (not per pair)."""

    statement: bool
    """A statement (not a dateline) whose subject is not a pronoun."""
    places: frozenset[str]
    years: frozenset[str]
    periods: frozenset[str]
    cumulative: bool
    event_dates: tuple[DateMention, ...]
    """The dates it gives to what happened (not the day something was said: :func:`_reported`)."""
    reported: bool
    """One of its dates is the day something was said ("police said Saturday")."""


def _setting(unit: Unit, facts: UnitFacts) -> _Setting:
    """The per-unit half of the conflict rules: what the pair rules compare."""
    statement = states_fact(unit.text, unit.language) and not _PRONOUN_SUBJECT.match(unit.text)
    reported = [_reported(unit, d) for d in facts.dates]
    return _Setting(
        statement=statement,
        places=facts.places,
        years=_years(facts),
        periods=_periods(unit.text),
        cumulative=bool(_CUMULATIVE.search(unit.text)),
        event_dates=tuple(d for d, said in zip(facts.dates, reported, strict=True) if not said),
        reported=any(reported),
    )


def _same_setting(a: _Setting, b: _Setting, two_languages: bool = False) -> bool:
    """Whether the figures of two units can be about the same subject at the same time: both are statements (not
    datelines or "Updated: … 20:09 IST") whose subject is not a pronoun ("He finished with 269 yards": whose figure
    it is stays in the article); when both name places, the places of one are all named by the other ("32 dead in
    Poland" is not "62 across Romania and Bulgaria"); the same explicit years; the same game period ("third
    quarter" vs "fourth quarter"); and both or neither a running total ("in their five operations so far … 923
    rounds" is not one operation's "300 rounds"). In ``two_languages`` places are compared only when the two name
    one alike ("Pékin" and "Beijing" cannot be told apart from two places)."""
    if not (a.statement and b.statement):
        return False
    apart = a.places and b.places and not (a.places <= b.places or b.places <= a.places)
    if apart and (not two_languages or a.places & b.places):
        return False
    if a.years != b.years:
        return False
    if a.periods and b.periods and not a.periods & b.periods:
        return False
    return a.cumulative == b.cumulative


_CUMULATIVE = re.compile(
    r"\b(?:so far|to date|in total|a total of|in all|altogether|overall|cumulative|this season|career|"
    r"(?:in|during) (?:the|their|its|his|her) (?:\w+ )?(?:operations|games|seasons|years|matches))\b",
    re.IGNORECASE,
)
"""A running total: compared only with another running total."""
_PERIOD = re.compile(
    r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|final|opening)\s+(quarter|half|period|inning|round|set)\b",
    re.IGNORECASE,
)
_PRONOUN_SUBJECT = re.compile(r"\W*(?:but |and )?(?:he|she|it|they|his|her|its|their)\b", re.IGNORECASE)
"""A sentence whose subject is a pronoun: its referent is known only inside its own article."""
_READINGS = frozenset({"celsi", "fahre", "degre", "mph", "kph", "knot", "km/h"})
"""Units of readings that change by the hour (temperatures, wind speeds): compared only on the same stated day."""


def _periods(text: str) -> frozenset[str]:
    return frozenset(f"{m.group(1).lower()} {m.group(2).lower()}" for m in _PERIOD.finditer(text))


def _reported(unit: Unit, date: DateMention) -> bool:
    """Whether ``date`` dates a report ("police said Saturday", "dijo el lunes", "a déclaré mardi")."""
    before = unit.text[: date.start - unit.start]
    return bool(_REPORTED.search(before) or (not is_english(unit.language) and _REPORTED_ELSEWHERE.search(before)))


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
    settings: dict[int, _Setting] = {}

    def setting(k: int) -> _Setting:
        if k not in settings:
            settings[k] = _setting(units[k], facts[k])
        return settings[k]

    # Only pairs of different articles that can conflict meet: both give figures, or (close ones) one date each.
    figures_each = np.array([bool(f.quantities) for f in facts], dtype=bool)
    one_date = np.array([len(f.dates) == 1 for f in facts], dtype=bool)
    codes = article_codes(units)
    rows, cols, nears = [], [], []
    for block in row_blocks(len(units)):  # by blocks of rows: the candidate pairs, not n x n intermediates
        close = alignment.linked[block] | (alignment.score[block] >= options.conflict)
        # Figures that say what they count ("12 injured", "14 hurt") are compared in less close units too.
        candidates = close | (alignment.score[block] >= options.conflict_counted) if counted else close.copy()
        if alignment.across is not None:  # pairs in two languages: close by the cross-lingual model's cosine
            close |= alignment.across[block]
            candidates |= alignment.across[block]
        candidates &= (codes[block, None] != codes[None, :]) & (
            (figures_each[block, None] & figures_each[None, :]) | (close & one_date[block, None] & one_date[None, :]))
        r, c = np.nonzero(np.triu(candidates, block.start + 1))
        rows.append(r + block.start)
        cols.append(c)
        nears.append(close[r, c])
    pairs = zip(*(np.concatenate(found) if found else [] for found in (rows, cols, nears)), strict=True)
    for i, j, near_pair in pairs:
        a, b = units[i], units[j]
        fa, fb = facts[i], facts[j]
        near = bool(near_pair)
        two_languages = alignment.across is not None and bool(alignment.across[i, j]) and a.language != b.language
        if len(stems[i] & stems[j]) < options.conflict_shared and not two_languages:
            continue  # two languages share no words: the model's cosine stands for them
        sa, sb = setting(i), setting(j)
        if counted and not _same_setting(sa, sb, two_languages):
            continue
        days_a, days_b = sa.event_dates, sb.event_dates
        same_day = any(_comparable(x, y) for x in days_a for y in days_b)
        # figures of two different stated days are two readings, not a conflict (the dates may conflict, below)
        figures = not (counted and days_a and days_b and not same_day)
        other_day = fa.published is not None and fb.published is not None and fa.published != fb.published
        # figures of each language's own nouns, matched in order, and dates: only in a pair stating one fact
        one_fact = bool(alignment.linked[i, j])
        in_order = _in_order(fa.quantities, fb.quantities) if two_languages and one_fact else {}
        for k, (qa, holder) in enumerate(zip(fa.quantities if figures else (), fa.holders, strict=False)):
            if counted and other_day and qa.counts in _TALLIES:
                continue
            if counted and qa.unit in _READINGS and not same_day:
                continue
            others = [
                qb
                for m, (qb, h) in enumerate(zip(fb.quantities, fb.holders, strict=True))
                if (_unit_key(qb, two_languages) == _unit_key(qa, two_languages) or in_order.get(k) == m)
                and (_same_holder(holder, h, counted) or (two_languages and not (holder and h)))
                and _same_thing(qa, qb, options.conflict_match, two_languages)
                and (near or (qa.counts and qa.counts == qb.counts))
            ]
            if not others or any(qa.agrees_with(qb) for qb in others):
                continue
            if k in in_order and any(qa.agrees_with(qb) for qb in fb.quantities):
                continue  # the value is there, in another place of the sentence
            mine = [q for q, h in zip(fa.quantities, fa.holders, strict=True)
                    if (_unit_key(q, two_languages) == _unit_key(qa, two_languages) or k in in_order)
                    and _same_holder(h, holder, counted)]  # fmt: skip
            qb = others[0]
            if any(q.agrees_with(qb) for q in mine):
                continue
            key = (a.article_id, a.start, b.start, b.article_id, int(qa.low), int(qb.low), qa.unit)
            if key in seen:
                continue
            seen.add(key)
            conflicts.append(Conflict(_unit_name(qa), [ConflictSide(qa.written, a.article_id, a.start, a.end),
                                              ConflictSide(qb.written, b.article_id, b.start, b.end)]))  # fmt: skip
        if not near or (two_languages and not one_fact):
            continue
        # A dateline or a sentence naming several days is not one dated fact.
        one_date_each = len(fa.dates) == 1 and len(fb.dates) == 1
        statements = min(len(a.text.split()), len(b.text.split())) >= options.min_unique_words
        reported = sa.reported or sb.reported  # "police said Saturday" dates the report, not the event
        # two languages: the model says the two sentences state one fact, so their dates are one happening's
        same_event = one_date_each and (not counted or two_languages or _same_event(a, fa.dates[0], b, fb.dates[0]))
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
    Teixeira $160 million" are two offers) and the nearest one is the same ("Charles rushed for 226 yards" is
    not "… and Hillis ran for 101 yards"); earlier rule: the same entity named last before each."""
    if counted:
        return (set(a) <= set(b) or set(b) <= set(a)) and (not a or not b or a[-1] == b[-1])
    return a[-1:] == b[-1:]


def _same_thing(a: Quantity, b: Quantity, match: str, two_languages: bool = False) -> bool:
    """Whether two figures of one unit count the same thing: by what each counts when both say it ("injured"
    and "hurt" do, "killed" and "injured" do not), else by a shared word around them. In two languages the words
    around differ: figures of one unit in sentences the model holds close count the same thing unless both say
    what they count and it differs."""
    if match == "counted" and a.counts and b.counts:
        return a.counts == b.counts
    return two_languages or bool(a.context & b.context)


_CURRENCY_STEMS = {"dolla": "$", "euro": "€", "pound": "£", "sterl": "£"}
"""English currency nouns ("3 million dollars") as the sign another language's figure carries ("3 millones de
dólares" reads as $)."""


_SHARED_UNITS = frozenset({"$", "€", "£", "percent", "peopl"})
"""Units a figure carries in every language: currencies, percentages and people."""


def _in_order(mine: Sequence[Quantity], theirs: Sequence[Quantity]) -> dict[int, int]:
    """Figures of two sentences in two languages whose units are nouns of each language ("190 countries", "190
    pays"): when both sentences hold as many such figures, the k-th of one stands for the k-th of the other (their
    indices in ``mine`` -> ``theirs``). Figures of one shared unit ($, %, people, "km") are matched by unit instead."""
    def loose(figures: Sequence[Quantity], other: Sequence[Quantity]) -> list[int]:
        units = {_unit_key(q, True) for q in other}
        return [i for i, q in enumerate(figures) if _unit_key(q, True) not in _SHARED_UNITS | units]

    a, b = loose(mine, theirs), loose(theirs, mine)
    return dict(zip(a, b, strict=True)) if len(a) == len(b) else {}


def _unit_key(q: Quantity, two_languages: bool) -> str:
    """The unit two figures must share to be compared; in two languages an English currency noun is its sign."""
    return _CURRENCY_STEMS.get(q.unit, q.unit) if two_languages else q.unit


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
