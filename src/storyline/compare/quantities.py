"""Figures in text ("42 people", "one million percent", "$3.5 billion", "at least 40 dead") as comparable ranges."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .align import _STOP, stem

_WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "one": 1, "a": 1,
}  # fmt: skip
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "m": 1e6, "bn": 1e9}
_QUALIFIERS = {
    "at least": (1.0, float("inf")), "more than": (1.0001, float("inf")), "over": (1.0001, float("inf")),
    "nearly": (0.8, 1.0), "almost": (0.8, 1.0), "about": (0.85, 1.15), "around": (0.85, 1.15),
    "some": (0.85, 1.15), "approximately": (0.85, 1.15), "roughly": (0.85, 1.15), "an estimated": (0.85, 1.15),
    "up to": (0.0, 1.0), "fewer than": (0.0, 0.9999), "less than": (0.0, 0.9999), "as many as": (0.8, 1.0),
    "at most": (0.0, 1.0), "under": (0.0, 0.9999),
}  # fmt: skip
_QUANTITY = re.compile(
    r"(?P<qual>(?i:" + "|".join(sorted(_QUALIFIERS, key=len, reverse=True)) + r")\s+)?"
    r"(?P<cur>[$€£])?"
    r"(?P<num>(?<![\w.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)|(?<![\w-])(?i:two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|fifteen|twenty|thirty|forty|fifty|hundred|one|a)(?=\s+(?:thousand|million|billion|trillion)\b)|"
    r"(?<![\w-])(?i:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty))\b"
    r"(?:[\s-]*(?P<scale>thousand|million|billion|trillion|bn|m)\b)?"
    r"(?:\s*(?P<pct>%|percent\b|per cent\b))?"
)
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

    def agrees_with(self, other: Quantity) -> bool:
        """True when both ranges overlap (1% slack for rounding)."""
        return self.low <= other.high * 1.01 and other.low <= self.high * 1.01


def find_quantities(
    text: str, start: int = 0, end: int | None = None, skip: Sequence[tuple[int, int]] = ()
) -> list[Quantity]:
    """Figures in ``text[start:end]`` with their unit: a currency, ``percent``, or the noun that follows (stemmed)."""
    end = len(text) if end is None else end
    found: list[Quantity] = []
    for m in _QUANTITY.finditer(text, start, end):
        s, e = m.span()
        if any(a < m.end("num") and m.start("num") < b for a, b in skip):
            continue  # part of a date: "August 4, 2018", "in 2017"
        raw = m.group("num").lower()
        if raw.replace(",", "").replace(".", "").isdigit():
            value = float(raw.replace(",", ""))
        else:
            value = float(_WORD_NUMBERS[raw])
        if m.group("scale"):
            value *= _SCALES[m.group("scale").lower()]
        if m.group("cur"):
            unit = m.group("cur")
        elif m.group("pct"):
            unit = "percent"
        else:
            after = _NEXT_WORD.match(text, e, end)
            word = after.group(1).lower() if after else ""
            if not word or word in _STOP or len(word) < 3:
                before = _PREV_WORD.search(text, max(start, s - 30), s)
                word = before.group(1).lower() if before else ""
                if not word or word in _STOP or len(word) < 3:
                    continue
            elif after:
                e = after.end()
            unit = stem(word)
        if raw == "a" and not m.group("scale"):
            continue
        low_f, high_f = _QUALIFIERS.get((m.group("qual") or "").strip().lower(), (1.0, 1.0))
        before = _WORDS.findall(text[max(start, s - 60) : s])[-_CONTEXT_WORDS:]
        after = _WORDS.findall(text[e : min(end, e + 60)])[:_CONTEXT_WORDS]
        context = frozenset(stem(w) for w in (*before, *after) if w.lower() not in _STOP and not w[0].isdigit())
        found.append(Quantity(s, e, text[s:e].strip(), unit, value * low_f, value * high_f, context - {unit}))
    return found
