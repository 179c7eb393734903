"""Content terms of a sentence: stemmed content words, word bigrams, numbers and names.

These are the units of lexical evidence used both to pick corroborated sentences (a bigram several articles
share is corroborated content) and to check that a cited span really states the same fact (names and numbers
must match, not only the topic).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text.tokens import stem, stop_words, tokens

_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "hundred": "100",
    "dozen": "12", "thousand": "1000", "million": "1000000",
}


@dataclass(frozen=True, slots=True)
class Terms:
    """The lexical evidence of one sentence."""

    words: tuple[str, ...]
    """Stemmed content words in order (stop words removed)."""
    bigrams: frozenset[tuple[str, str]]
    """Adjacent stemmed words of the original sentence where neither is a stop word."""
    numbers: frozenset[str]
    """Numbers as digits without separators ('3,197' -> '3197'; 'five' -> '5')."""
    names: frozenset[str]
    """Stems of capitalized words that are not sentence-initial (people, places, organisations)."""
    function_bigrams: frozenset[tuple[str, str, str]] = frozenset()
    """``('~', first, second)`` for adjacent words of which exactly one is a stop word ('president of', 'the
    quake'; content words stemmed), as ROUGE-2 counts them: the summary's concepts (``scoring.concepts_of``)."""
    vocabulary: frozenset[str] = frozenset()
    """The distinct ``words`` (kept, not rebuilt: citation checks ask for it once per pair of sentences)."""


def sentence_terms(text: str, language: str | None = None) -> Terms:
    """The content words, bigrams, numbers, names and function bigrams of ``text`` (one pass over its tokens; the
    stop words of its ``language`` left out too)."""
    found = tokens(text)
    stop = stop_words(language=language)
    words: list[str] = []
    bigrams: set[tuple[str, str]] = set()
    numbers: set[str] = set()
    names: set[str] = set()
    function: set[tuple[str, str, str]] = set()
    previous: str | None = None
    before: tuple[str, bool] | None = None  # the previous token as function bigrams read it: (word, is a stop word)
    for position, token in enumerate(found):
        lower = token.lower()
        is_stop = lower in stop
        word = lower if is_stop or token[0].isdigit() else stem(lower)
        if before is not None and before[1] != is_stop:
            function.add(("~", before[0], word))
        before = (word, is_stop)
        if token[0].isdigit():
            value = token.replace(",", "").rstrip(".")
            numbers.add(value)
            words.append(value)
            previous = value
            continue
        if lower in _NUMBER_WORDS:
            numbers.add(_NUMBER_WORDS[lower])
        if is_stop or len(lower) < 2:
            previous = None
            continue
        stemmed = word
        words.append(stemmed)
        if (token[0].isupper() and position > 0 and not token.isupper()) or (token.isupper() and len(token) > 1):
            names.add(stemmed)
        if previous is not None:
            bigrams.add((previous, stemmed))
        previous = stemmed
    return Terms(tuple(words), frozenset(bigrams), frozenset(numbers), frozenset(names), frozenset(function),
                 frozenset(words))
