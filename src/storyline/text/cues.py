"""Regex patterns tried only where a match can start: the places a text's cue words give (a month name, a digit,
a currency sign), found with ``str.find`` instead of the pattern searching every position. Used by the date finder
(``text.dates``) and the figure reader (``compare.quantities``), whose long alternations cost ~0.1 ms per scan of
a sentence in ``re``; the matches are those ``finditer`` finds, as their tests check on real texts."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable


def occurrences(text: str, words: Iterable[str], start: int, end: int) -> list[int]:
    """Where each of ``words`` occurs in ``text[start:end]`` (inside longer words too)."""
    found: list[int] = []
    for word in words:
        at = text.find(word, start, end)
        while at != -1:
            found.append(at)
            at = text.find(word, at + 1, end)
    return found


def before_space(text: str, places: Iterable[int], lengths: Collection[int], gap: int, start: int) -> list[int]:
    """The places ``n`` characters (each of ``lengths``) before the run of whitespace (``\\s``, at least ``gap``
    characters) that ends at each of ``places``: where a word of length ``n`` followed by that run begins ("last"
    of "last Tuesday")."""
    found: list[int] = []
    for at in places:
        space = at
        while space > start and text[space - 1].isspace():
            space -= 1
        if at - space >= gap:
            found.extend(space - n for n in lengths)
    return found


def matches_at(pattern: re.Pattern[str], text: str, places: Iterable[int], start: int, end: int) -> list[re.Match[str]]:
    """The matches ``pattern.finditer(text, start, end)`` finds, given every place where one can start (more do no
    harm): the pattern is matched at those places in order, the next place after the end of the last match."""
    found: list[re.Match[str]] = []
    position = start
    for place in sorted(set(places)):
        if place >= position:
            m = pattern.match(text, place, end)
            if m:
                found.append(m)
                position = m.end()
    return found
