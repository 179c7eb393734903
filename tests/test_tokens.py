"""The one tokenizer, stemmer and stop-word list that summaries and source comparison share (issue 18)."""

from __future__ import annotations

import pytest

from storyline.compare.align import STEM_PREFIX, content_stems
from storyline.summarize.terms import sentence_terms
from storyline.text.tokens import stem, stop_words, tokens


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("arrests", "arrested", "arresting", "arrest"), "arrest"),
        (("cities", "city"), "city"),
        (("classes", "class"), "class"),
        (("police’s", "police's", "police"), "polic"),
        (("quickly", "quick"), "quick"),
        (("bus", "its"), None),  # words of three letters or fewer and -us endings are left alone
    ],
)
def test_stem_joins_inflections(words: tuple[str, ...], expected: str | None) -> None:
    stems = {stem(w) for w in words}
    if expected is None:
        assert stems == {w for w in words}
    else:
        assert stems == {expected}


def test_prefix_is_a_coarser_key_of_the_same_stem() -> None:
    assert stem("economy", STEM_PREFIX) == stem("economic", STEM_PREFIX) == "econo"
    assert stem("economy") != stem("economic")
    for word in ("arrested", "cities", "people", "firefighters", "a", "Ministers"):
        assert stem(word, 5) == stem(word)[:5]


def test_tokens_keep_numbers_and_inner_apostrophes() -> None:
    found = tokens("Mr. O'Neill's 3,197 ex-workers paid $3.5m.")
    assert found == ["Mr", "O'Neill's", "3,197", "ex-workers", "paid", "3.5", "m"]


def test_summaries_and_comparison_read_words_alike() -> None:
    stop = stop_words()
    assert {"said", "according", "the", "monday"} <= stop
    sentence = "Police said the suspects were arrested in three cities on Monday."
    terms = sentence_terms(sentence)
    assert set(terms.words) == {"polic", "suspect", "arrest", "city"}
    assert content_stems(sentence) == {stem(w)[:STEM_PREFIX] for w in terms.words}
