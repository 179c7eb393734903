"""What only one outlet reports, ranked: per outlet its most informative unique statements first (``rank`` 1, 2, …;
the top ``compare.unique_shown`` marked ``shown``, the rest behind "show all"), a quoted sentence with its speaker
or not at all, boilerplate left out.

Informative means new to the story: the content words no other article uses, with names and figures counting
double ("Twenty-two employees will be moved to the company's Mill Street showroom" before "He said it was a
difficult day"). A sentence opening on a pronoun or a connective ("She", "But") leans on what came before it
and counts for less.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Article, Quote, UniqueFact
from ..text.tokens import stem
from .align import STEM_PREFIX, Unit

_BOILERPLATE = re.compile(
    r"\b(?:all rights reserved|copyright|click here|read more|sign up|subscribe|follow us|share this|newsletter|"
    r"advertisement|contributed (?:to )?this report|for more information|cookies|terms of (?:use|service)|"
    r"privacy policy|download (?:our|the) app|related articles?|log ?in|reporting by|editing by)\b|©",
    re.IGNORECASE,
)
"""Lines that are about the page or the outlet, not the news."""
_OPENERS = frozenset({"he", "she", "it", "they", "this", "that", "these", "those", "but", "and", "so", "also", "his",
                      "her", "their", "its", "there"})  # fmt: skip
_LEANING = 0.75
"""Weight of a sentence that opens on a pronoun or connective: it needs the sentence before it."""
_OPENING_QUOTES = ('"', "“", "‘", "'", "«")
_NAME_OR_FIGURE = re.compile(r"\b[A-Z][\w’'-]+|\d[\d,.]*")
"""A name (a capitalized word that does not open the sentence) or a figure."""


def is_boilerplate(text: str) -> bool:
    """A line about the page or the outlet ("All rights reserved", "Click here to subscribe")."""
    return bool(_BOILERPLATE.search(text))


def is_quoted(article: Article, start: int, end: int) -> bool:
    """Whether ``article.text[start:end]`` is quoted words: it opens with a quotation mark, or a quotation opened
    earlier in its paragraph is still open ("People want a pattern," she said. "Right now the evidence …")."""
    if article.text[start:end].lstrip().startswith(_OPENING_QUOTES):
        return True
    paragraph = article.text[article.text.rfind("\n", 0, start) + 1 : start]
    return paragraph.count('"') % 2 == 1 or paragraph.count("“") > paragraph.count("”")


def informativeness(unit: Unit, stems: frozenset[str], elsewhere: set[str]) -> float:
    """How much a unique statement tells that the rest of the story does not (see the module docstring)."""
    novel = stems - elsewhere
    found = [m.group(0) for m in _NAME_OR_FIGURE.finditer(unit.text) if m.start() > 0 and not m.group(0)[0].isdigit()]
    found += [m.group(0) for m in _NAME_OR_FIGURE.finditer(unit.text) if m.group(0)[0].isdigit()]
    marked = {stem(w, STEM_PREFIX) for w in found} & novel
    value = float(len(novel) + len(marked))
    first = unit.text.split(maxsplit=1)[0].strip("\"“‘'«").lower() if unit.text.split() else ""
    return value * _LEANING if first in _OPENERS else value


def rank_unique(
    candidates: Sequence[tuple[Unit, frozenset[str]]],
    articles: Sequence[Article],
    quotes: Sequence[Quote],
    all_stems: Sequence[tuple[str, frozenset[str]]],
    shown: int,
) -> list[UniqueFact]:
    """The unique statements of a story, per outlet (in article order), most informative first.

    ``candidates``: each unique unit with its content stems; ``all_stems``: ``(article_id, stems)`` of every unit of
    the story; ``shown``: how many per outlet are marked shown (0 = all). A quoted sentence takes the speaker of the
    quote it is part of and is left out when no speaker is known; boilerplate is left out."""
    by_id = {a.id: a for a in articles}
    words: dict[str, set[str]] = {}
    for article_id, stems in all_stems:
        words.setdefault(article_id, set()).update(stems)
    outlet = {a.id: (a.source_name if (a.source or a.url) else a.id) for a in articles}
    per_outlet: dict[str, list[tuple[float, Unit, str | None]]] = {}
    others: dict[str, set[str]] = {}  # per outlet, the words of the other outlets' articles (built once)
    for unit, stems in candidates:
        if is_boilerplate(unit.text):
            continue
        article = by_id[unit.article_id]
        speaker = next((q.speaker for q in quotes if q.article_id == unit.article_id and q.speaker
                        and q.start < unit.end and unit.start < q.end), None)  # fmt: skip
        if speaker is None and is_quoted(article, unit.start, unit.end):
            continue  # a bare quote fragment: whose words these are is not known
        own = outlet[unit.article_id]
        if own not in others:
            others[own] = set().union(*(s for a, s in words.items() if outlet[a] != own))
        elsewhere = others[own]
        per_outlet.setdefault(outlet[unit.article_id], []).append(
            (informativeness(unit, stems, elsewhere), unit, speaker)
        )
    order = {a.id: k for k, a in enumerate(articles)}
    found: list[UniqueFact] = []
    for name in sorted(per_outlet, key=lambda n: min(order[u.article_id] for _, u, _ in per_outlet[n])):
        ranked = sorted(per_outlet[name], key=lambda item: (-item[0], order[item[1].article_id], item[1].start))
        for rank, (_, unit, speaker) in enumerate(ranked, start=1):
            found.append(UniqueFact(unit.article_id, unit.start, unit.end, unit.text, rank,
                                    shown <= 0 or rank <= shown, speaker))  # fmt: skip
    return found

