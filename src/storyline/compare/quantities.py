"""Figures in text ("42 people", "one million percent", "$3.5 billion", "at least 40 dead") as comparable ranges."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..text.cues import before_space, matches_at, occurrences
from ..text.numbers import NumberRules, number_rules
from ..text.tokens import stem, stop_words
from .align import STEM_PREFIX

_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_NUMBERS = {w: i + 1 for i, w in enumerate(_UNITS)} | {w: i + 10 for i, w in enumerate(_TEENS)}
_WORD_NUMBERS |= {w: 20 + 10 * i for i, w in enumerate(_TENS)} | {"hundred": 100, "a": 1, "dozen": 12}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "m": 1e6, "bn": 1e9, "dozen": 12}
_QUALIFIERS = {
    "at least": (1.0, float("inf")), "more than": (1.0001, float("inf")), "over": (1.0001, float("inf")),
    "nearly": (0.8, 1.0), "almost": (0.8, 1.0), "about": (0.85, 1.15), "around": (0.85, 1.15),
    "some": (0.85, 1.15), "approximately": (0.85, 1.15), "roughly": (0.85, 1.15), "an estimated": (0.85, 1.15),
    "up to": (0.0, 1.0), "fewer than": (0.0, 0.9999), "less than": (0.0, 0.9999), "as many as": (0.8, 1.0),
    "at most": (0.0, 1.0), "under": (0.0, 0.9999),
}  # fmt: skip
_ALTERNATION = "|".join(sorted(_UNITS + _TEENS + _TENS, key=len, reverse=True))
_WORD_NUMBER = rf"(?:{'|'.join(_TENS)})[\s-](?:{'|'.join(_UNITS)})\b|(?:{_ALTERNATION})\b"
"""A number in words: "seven", "Fourteen", "sixty-five", "twenty one"."""
_QUANTITY = re.compile(
    r"(?P<qual>(?i:" + "|".join(sorted(_QUALIFIERS, key=len, reverse=True)) + r")\s+)?"
    r"(?P<cur>[$€£])?"
    r"(?P<num>(?<![\w.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\b|(?<![\w-])(?i:hundred|a|dozen)"
    r"(?=\s+(?:thousand|million|billion|trillion|dozen)\b)|(?<![\w-])(?i:" + _WORD_NUMBER + r"))"
    r"(?:[\s-]*(?P<scale>thousand|million|billion|trillion|bn|m|dozen)\b)?"
    r"(?:\s*(?P<pct>%|percent\b|per cent\b))?"
)
_COUNTED = {
    "injured": r"injur\w*|hurt|wound\w*",
    "hospitalized": r"hospitali[sz]\w*",
    "dead": r"kill\w*|dead|died|dies|die|deaths?|death\s+toll|toll|fatalit\w+|lives",
    "missing": r"missing|unaccounted",
    "arrested": r"arrest\w*|detain\w*",
    "evacuated": r"evacuat\w*|displaced|homeless",
    "cost": r"cost\w*|spend\w*|spent|price\w*|budget\w*|worth|valued",
}  # fmt: skip
"""What a figure counts, from a word near it: "injuring 12", "Fourteen people ... were hurt", "cost $3.2 million"."""
_COUNTED_WORD = re.compile(r"\b(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _COUNTED.items()) + r")\b", re.I)
_COUNTED_REACH = 8
"""Words between a figure and the word saying what it counts, at most ("Fourteen people, including two
firefighters, were hurt")."""
_ASIDE = re.compile(r",[^,]*,")
"""A comma-delimited aside ("Fourteen people, including two firefighters, were hurt") does not separate a figure
from its counting word."""
_CLAUSE_END = re.compile(r"[;:]|[.!?]\s|\s[—–]\s|\bwhile\b|\bwhereas\b|\bbut\b", re.I)
_PERSONS = frozenset({"peopl", "perso", "other"})
"""Unit stems that all count people ("12 people", "12 persons", "15 others")."""
_WORDS = re.compile(r"[A-Za-z][\w’'-]*")
_NEXT_WORD = re.compile(r"\s*(?:-\s*)?([A-Za-z][A-Za-z-]*)")
_PREV_WORD = re.compile(r"([A-Za-z][A-Za-z-]*)\s*$")


_CONTEXT_WORDS = 3
"""Words on each side of a figure that say what it counts ("killing 612 people" vs "a town of 15,000 people")."""


@dataclass(frozen=True, slots=True)
class Quantity:
    """A figure: ``text[start:end]`` is how it was written; ``low``-``high`` the values it allows."""

    start: int
    end: int
    written: str
    unit: str
    low: float
    high: float
    context: frozenset[str] = frozenset()
    """Content stems of the words around the figure, the unit left out."""
    counts: str | None = None
    """What the figure counts when a word near it says so (``injured``, ``dead``, ``cost``...), else ``None``."""

    def agrees_with(self, other: Quantity) -> bool:
        """True when both ranges overlap (1% slack for rounding)."""
        return self.low <= other.high * 1.01 and other.low <= self.high * 1.01


def _value(raw: str) -> float:
    """ "1,200" -> 1200, "sixty-five" -> 65, "Fourteen" -> 14."""
    if raw[0].isdigit():
        return float(raw.replace(",", ""))
    return float(sum(_WORD_NUMBERS[w] for w in re.split(r"[\s-]+", raw.lower()) if w))


@dataclass(frozen=True, slots=True)
class _Reader:
    """How figures are read in one language: English's tables above, or a ``text.numbers`` rule list."""

    quantity: re.Pattern[str]
    value: Callable[[str], float]
    scales: dict[str, float]
    qualifiers: dict[str, tuple[float, float]]
    counted_word: re.Pattern[str]
    clause_end: re.Pattern[str]
    words: re.Pattern[str]
    next_word: re.Pattern[str]
    prev_word: re.Pattern[str]
    persons: frozenset[str]
    currencies: dict[str, str]
    language: str | None = None
    years_are_dates: bool = False
    """Read a bare year ("en 2007") as a date, not a figure (English finds "in 2007" with its dates)."""


_ENGLISH = _Reader(_QUANTITY, _value, _SCALES, _QUALIFIERS, _COUNTED_WORD, _CLAUSE_END, _WORDS, _NEXT_WORD,
                   _PREV_WORD, _PERSONS, {})  # fmt: skip
_DIGITS = (
    r"(?<![\w.,])(?:\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?![\d,.]\d)|\d+(?:[.,]\d{1,2})?)(?![\w])"
)
"""Digits in either notation: "1.200", "1,200", "1 200" are 1200 (groups of three), "3,5" and "3.5" are 3.5."""


def _digits_value(raw: str) -> float:
    """ "1.200" / "1 200" / "1,200" -> 1200, "3,5" -> 3.5."""
    if re.fullmatch(r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+", raw):
        return float(re.sub(r"\D", "", raw))
    return float(raw.replace(",", "."))


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _reader(language: str | None) -> _Reader:
    """The reader for ``language``: English's tables for English or unknown, the language's rule list, else digits
    only (``text.numbers.DIGITS_ONLY``)."""
    code = (language or "").lower().split("-")[0]
    if code in ("", "en"):
        return _ENGLISH
    if code not in _READERS:
        _READERS[code] = _foreign_reader(code, number_rules(code))
    return _READERS[code]


_READERS: dict[str, _Reader] = {}


def _foreign_reader(code: str, rules: NumberRules | None) -> _Reader:
    """A reader from a ``text.numbers`` rule list (None: digits only, no words)."""
    letters = r"[^\W\d_][\w’'-]*"
    if rules is None:
        empty = re.compile(r"(?!x)x")
        quantity = re.compile(r"(?P<qual>(?!x)x)?(?P<cur>[$€£])?(?P<num>" + _DIGITS + r")(?P<scale>(?!x)x)?"
                              r"(?P<curword>(?!x)x)?(?:\s*(?P<pct>%))?")  # fmt: skip
        return _Reader(quantity, _digits_value, {}, {}, empty, re.compile(r"[;:]|[.!?]\s|\s[—–]\s"),
                       re.compile(letters), re.compile(r"\s*(?:-\s*)?([^\W\d_][\w-]*)"),
                       re.compile(r"([^\W\d_][\w-]*)\s*$"), frozenset(), {}, code, True)  # fmt: skip
    word = _alternation(rules.words)
    if rules.compound:
        joiner, tens = rules.compound
        units = _alternation(w for w, v in rules.words.items() if v < 10) + "|ein"
        word = rf"(?:{units}){joiner}(?:{tens})|{word}"
    joined = r"(?:\s+(?:" + "|".join(rules.joiners) + r")\s+|[\s-])" if rules.joiners else r"[\s-]"
    scales = _alternation(rules.scales)
    number = (rf"(?<![\w-])(?:{word})(?:{joined}(?:{word}))*(?![\w])"
              rf"|(?<![\w-])(?:{_alternation(rules.ones)})(?=\s+(?:{scales})(?!\w))")  # fmt: skip
    quantity = re.compile(
        r"(?i:(?P<qual>(?:" + _alternation(rules.qualifiers) + r")\s+)?"
        r"(?P<cur>[$€£])?"
        r"(?P<num>" + _DIGITS + "|" + number + r")"
        r"(?:[\s-]*(?P<scale>" + scales + r")(?!\w))?"
        r"(?:\s+(?:de\s+|d['’]\s*)?(?P<curword>" + _alternation(rules.currencies) + r")(?!\w))?"
        r"(?:\s*(?P<pct>" + _alternation(rules.percent) + r")(?!\w))?)"
    )

    def value(raw: str) -> float:
        if raw[0].isdigit():
            return _digits_value(raw)
        total = 0.0
        lowered = raw.lower()
        for joiner in rules.joiners:
            lowered = re.sub(rf"\s+{joiner}\s+", " ", lowered)
        for part in _number_parts(lowered, rules):
            total = total * 100 if part == 100 and 0 < total < 100 else total + part
        return total

    counted = re.compile(r"(?<!\w)(?:" + "|".join(f"(?P<{k}>{v})" for k, v in rules.counted.items()) + r")(?!\w)",
                         re.I)  # fmt: skip
    return _Reader(quantity, value, rules.scales, rules.qualifiers, counted,
                   re.compile(r"[;:]|[.!?]\s|\s[—–]\s|" + rules.clause_end, re.I), re.compile(letters),
                   re.compile(r"\s*(?:-\s*)?([^\W\d_][\w-]*)"), re.compile(r"([^\W\d_][\w-]*)\s*$"),
                   frozenset(stem(p, STEM_PREFIX) for p in rules.persons), rules.currencies, code, True)  # fmt: skip


def _number_parts(raw: str, rules: NumberRules) -> list[int]:
    """The values of the words of one number, the longest known word first ("quatre-vingt-dix": 80, 10)."""
    parts: list[int] = []
    for token in raw.split():
        pieces = token.split("-")
        i = 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                candidate = "-".join(pieces[i:j])
                if candidate in rules.words:
                    parts.append(rules.words[candidate])
                    i = j
                    break
            else:
                compound = re.fullmatch(r"(\w+?)" + rules.compound[0] + r"(\w+)", pieces[i]) if rules.compound else None
                if compound:
                    parts.append(rules.words.get(compound.group(1), 1) + rules.words.get(compound.group(2), 0))
                i += 1
    return parts


def _counted(text: str, start: int, end: int, low: int, high: int, reader: _Reader = _ENGLISH) -> str | None:
    """The kind of thing the figure ``text[start:end]`` counts: the nearest counting word in its clause within
    ``_COUNTED_REACH`` words (``text[low:high]`` is the sentence)."""
    best: tuple[int, str] | None = None
    for m in reader.counted_word.finditer(text, low, high):
        if start <= m.start() < end:
            return m.lastgroup  # "12 injured", "five dead": the figure names it itself
        between = text[end : m.start()] if m.start() >= end else text[m.end() : start]
        if reader.clause_end.search(between) or reader.quantity.search(_ASIDE.sub(" ", between)):
            continue  # another clause, or another figure nearer the word ("injured 12 people and burned for six hours")
        distance = len(reader.words.findall(between))
        if distance <= _COUNTED_REACH and (best is None or distance < best[0]):
            best = (distance, m.lastgroup or "")
    return best[1] if best else None


_NUMBER_WORDS = frozenset(_UNITS + _TEENS + _TENS + ("hundred", "dozen", "thousand", "million", "billion", "trillion"))
_DIGIT = re.compile(r"\d")
_WORD_CHARS = re.compile(r"\w+")
_CASE_EQUIVALENTS = frozenset("ıſİ")
"""Letters a case-insensitive regex matches to ASCII ones that ``str.lower`` does not map ("ſix")."""


def may_hold_figure(text: str) -> bool:
    """False only when ``text`` has no figure for ``_QUANTITY`` to find: no digit and no number word ("seven",
    "a thousand"). Scanning with ``_QUANTITY`` costs ~0.1 ms a sentence; most sentences have neither."""
    if _DIGIT.search(text) or not _CASE_EQUIVALENTS.isdisjoint(text):
        return True
    return not _NUMBER_WORDS.isdisjoint(_WORD_CHARS.findall(text.lower()))


_NUMBER_START = frozenset(_UNITS + _TEENS + _TENS)
"""Words a number in words begins with (``_WORD_NUMBER``)."""
_BEFORE_SCALE = frozenset({"hundred", "a", "dozen"})
"""Numbers ``_QUANTITY`` reads only before a scale word ("a million", "hundred thousand")."""
_SCALE_AFTER = frozenset({"thousand", "million", "billion", "trillion", "dozen"})
_QUALIFIER_LENGTHS = frozenset(len(q) for q in _QUALIFIERS)
_DIGIT_RUN = re.compile(r"\d+")
_CURRENCY = re.compile(r"[$€£]")


def _english_figures(text: str, start: int, end: int) -> list[re.Match[str]]:
    """What ``_QUANTITY.finditer(text, start, end)`` finds, tried only where a figure can start (``text.cues``): at a
    digit run, a currency sign or a number word (the text's lower case), or a qualifier's length before the space
    before one ("at least 40"). A text with a letter ``re`` matches to an ASCII one beyond ``str.lower`` is searched
    through."""
    if not _CASE_EQUIVALENTS.isdisjoint(text[start:end]):
        return list(_QUANTITY.finditer(text, start, end))
    places = [m.start() for m in _DIGIT_RUN.finditer(text, start, end)]
    places += [m.start() for m in _CURRENCY.finditer(text, start, end)]
    lowered = text[start:end].lower()
    words = set(_WORD_CHARS.findall(lowered))
    numbers = words & _NUMBER_START
    if not words.isdisjoint(_SCALE_AFTER):
        numbers |= words & _BEFORE_SCALE
    places += [start + at for at in occurrences(lowered, numbers, 0, len(lowered))]
    places += before_space(text, places, _QUALIFIER_LENGTHS, 1, start)
    return matches_at(_QUANTITY, text, places, start, end)


def find_quantities(
    text: str, start: int = 0, end: int | None = None, skip: Sequence[tuple[int, int]] = (), language: str = ""
) -> list[Quantity]:
    """Figures in ``text[start:end]`` with their unit (a currency, ``percent``, or the noun that follows, stemmed)
    and what they count, read with ``language``'s number words (``text.numbers``; English or unknown as always)."""
    end = len(text) if end is None else end
    reader = _reader(language)
    if reader is _ENGLISH and not may_hold_figure(text[start:end]):
        return []  # English number words only: another language's reader scans every sentence
    stop = stop_words(filler=False, language=reader.language)
    found: list[Quantity] = []
    figures = _english_figures(text, start, end) if reader is _ENGLISH else reader.quantity.finditer(text, start, end)
    for m in figures:
        s, e = m.span()
        if any(a < m.end("num") and m.start("num") < b for a, b in skip):
            continue  # part of a date: "August 4, 2018", "in 2017"
        raw = m.group("num")
        if reader.years_are_dates and re.fullmatch(r"(?:1[89]|20)\d\d", raw) and not m.group("scale") \
                and not m.group("cur") and not m.group("curword") and not m.group("pct"):  # fmt: skip
            continue  # "en 2007": a year
        value = reader.value(raw)
        if m.group("scale"):
            value *= reader.scales[m.group("scale").lower()]
        if m.group("cur"):
            unit = m.group("cur")
        elif reader.currencies and m.group("curword"):
            unit = reader.currencies[m.group("curword").lower()]
        elif m.group("pct"):
            unit = "percent"
        else:
            after = reader.next_word.match(text, e, end)
            word = after.group(1).lower() if after else ""
            if not word or word in stop or len(word) < 3:
                before = reader.prev_word.search(text, max(start, s - 30), s)
                word = before.group(1).lower() if before else ""
                if not word or word in stop or len(word) < 3:
                    continue
            elif after:
                e = after.end()
            # "15,800-square-metre" and "170,000-square-foot" measure in two units: every part of a compound counts
            unit = "-".join(stem(part, STEM_PREFIX) for part in word.split("-") if part) if "-" in word else \
                stem(word, STEM_PREFIX)  # fmt: skip
            named = reader.counted_word.fullmatch(word)
            if named and after and named.lastgroup != "cost":
                noun = reader.next_word.match(text, e, end)  # "two injured firefighters" counts firefighters
                if noun and noun.group(1).lower() not in stop and len(noun.group(1)) >= 3:
                    unit, e = stem(noun.group(1), STEM_PREFIX), noun.end()
            if unit in reader.persons or (named and named.lastgroup != "cost" and unit == stem(word, STEM_PREFIX)):
                unit = "peopl"  # "12 injured", "15 others", "five dead" count people
        if raw.lower() == "a" and not m.group("scale"):
            continue
        low_f, high_f = reader.qualifiers.get((m.group("qual") or "").strip().lower(), (1.0, 1.0))
        around = [*reader.words.findall(text[max(start, s - 60) : s])[-_CONTEXT_WORDS:],
                  *reader.words.findall(text[e : min(end, e + 60)])[:_CONTEXT_WORDS]]  # fmt: skip
        context = frozenset(stem(w, STEM_PREFIX) for w in around if w.lower() not in stop and not w[0].isdigit())
        counts = _counted(text, s, e, start, end, reader)
        found.append(Quantity(s, e, text[s:e].strip(), unit, value * low_f, value * high_f, context - {unit}, counts))
    return found
