"""Sentences that lean on the one before them and read wrong alone: 'However, ...', 'He added that ...', 'Last
year, ...' (a time the reader cannot place without the article's date and context), a quote whose speaker is in
another sentence, and a piece of a sentence the splitter cut in two ('on Tuesday, 16 December.')."""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass

from ..text.tokens import stop_words

_OPENER = re.compile(
    r"""^['"“‘]?\s*(?:
        however|but|and|or|also|meanwhile|still|yet|instead|moreover|furthermore|in\ addition|besides|
        nevertheless|nonetheless|thus|therefore|hence|so|then|later|afterwards|otherwise|likewise|similarly|
        in\ turn|as\ a\ result|by\ contrast|on\ the\ other\ hand|even\ so|at\ the\ same\ time|that\ is|
        he|she|they|it|we|this|that|these|those|his|her|their|its|him|them|such|the\ two|both|another|
        the\ latter|the\ former|there\ (?:he|she|they)|around\ that\ time|at\ that\ time|by\ then|
        now\ (?:he|she|it|they|this|that)|
        last\ (?:year|month|week|night|spring|summer|autumn|fall|winter)|earlier\ this\ (?:year|month|week)|
        (?:just\ )?(?:a\ few|several|two|three)\ (?:days|weeks|months|years)\ (?:ago|earlier|later)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
# A connective after the subject ('Voters, however, appeared ...') leans on the sentence before just the same.
_SECOND_CONNECTIVE = re.compile(
    r"^[^,;:]{1,40},\s*(?:however|though|meanwhile|instead|in\ turn|therefore|nevertheless|too|also),",
    re.IGNORECASE | re.VERBOSE,
)
# A quote attributed to a pronoun ('"It was terrible," she added.') needs the sentence that names the speaker.
_PRONOUN_QUOTE = re.compile(
    r"""^["“'‘].{0,400}?["”'’]\s*,?\s*(?:he|she|they)\s+(?:added|continued|went\ on|said|says|told)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# A sentence that is nothing but a quote ('"We appreciate your respect."'): its speaker is named elsewhere.
_WHOLE_QUOTE = re.compile(r"""^["“][^"“”]+["”]\W*$""")
_DOUBLE_QUOTE = re.compile(r"""["“”]""")


def is_dangling(text: str) -> bool:
    """True when ``text`` needs the sentence before it: a connective or pronoun opener, an undated relative time,
    a quote without its speaker or split over sentences (an odd number of double quotes), or a lower-case start
    (the rest of a sentence the splitter cut)."""
    stripped = text.lstrip()
    if _OPENER.match(stripped) or _SECOND_CONNECTIVE.match(stripped):
        return True
    if _PRONOUN_QUOTE.match(stripped) or _WHOLE_QUOTE.match(stripped):
        return True
    if len(_DOUBLE_QUOTE.findall(stripped)) % 2 == 1:
        return True
    first_word = stripped.lstrip("\"“‘'([").split(maxsplit=1)[:1]
    return bool(first_word) and first_word[0].islower()  # 'on Tuesday, ...', not 'iPhone sales ...'


# Surname-only references ('Whitlock said ...' after 'Fire Chief Dana Whitlock' earlier in the article): the reader of
# the summary meets 'Whitlock' without the sentence that says who that is.
_CAPITAL = re.compile(r"\b[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?\b")
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\.?\s+$")
_WORD_AFTER = re.compile(r"(?:'s|’s)?\s*(?:&|[A-Z][a-z])")
_NOT_A_FIRST_NAME = frozenset(
    "a an the in on at of for to from by with and or but as after before when while if this that these those his her "
    "their its our my your mr mrs ms miss dr sir monday tuesday wednesday thursday friday saturday sunday january "
    "february march april may june july august september october november december north south east west northern "
    "southern eastern western central".split()
)
"""Capitalized words before a surname that do not name the person (besides the stop words: sentence openers,
honorifics, days, months and directions: 'Dr. Okafor' still needs 'Samuel Okafor'; 'North African' is no name)."""


def _no_first_name(word: str) -> bool:
    return word in _NOT_A_FIRST_NAME or word in stop_words()
_PARTICLE = frozenset("de del della di da van von der le la du al el bin ibn".split())
"""Lower-case name particles: 'de Klerk' names the person as fully as 'De Klerk'."""


@dataclass(frozen=True, slots=True)
class NameUse:
    """The people one sentence names: in full (a capitalized word before the surname: 'Dana Whitlock', 'Chief
    Whitlock') and by surname alone where its article named them in full earlier ('Whitlock said ...')."""

    full: frozenset[str]
    bare: frozenset[str]


_FULL_NAME = re.compile(r"\b([A-Z][a-z]+)[ \t]+(?=([A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?)\b)")


def first_full_mentions(text: str, common: Set[str]) -> dict[str, int]:
    """For each surname ``text`` names in full, the offset of its first full mention.

    A full mention is a first name before the surname ('Dana Whitlock'): a capitalized word that is no stop word, day,
    month or direction and that the story never writes in lower case (``common``), in the same sentence ('North
    African', 'House Democrats', 'Although Turkey' and 'Wednesday. China' are no names). A surname the story writes
    in lower case is no surname ('Millbrook Police')."""
    first: dict[str, int] = {}
    for m in _FULL_NAME.finditer(text):
        name = m.group(1).lower()
        if not _no_first_name(name) and name not in common and m.group(2).lower() not in common:
            first.setdefault(m.group(2), m.start())
    return first


def name_uses(text: str, start: int, first_full: Mapping[str, int], common: Set[str]) -> NameUse:
    """Which surnames sentence ``text`` (at offset ``start`` of its article) names in full and which alone.

    A bare surname counts only when its article named it in full before ``start`` (``first_full``, from
    ``first_full_mentions``), the story never uses the word in lower case (``common``: the story's lower-case words,
    so 'Police are ...' after 'Millbrook Police' is no name), and it does not start a longer name ('Calder & Finch',
    'Whitlock Street').
    """
    full: set[str] = set()
    bare: set[str] = set()
    for m in _CAPITAL.finditer(text):
        word = m.group(0)
        if word.lower() in common or len(word) < 3:
            continue
        previous = _WORD_BEFORE.search(text, max(m.start() - 30, 0), m.start())
        title = previous.group(1) if previous else ""
        if (title[:1].isupper() and not _no_first_name(title.lower())) or title in _PARTICLE:
            full.add(word)
        elif not _WORD_AFTER.match(text, m.end()) and first_full.get(word, start) < start:
            bare.add(word)
    return NameUse(frozenset(full), frozenset(bare - full))
