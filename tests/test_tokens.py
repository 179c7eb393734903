"""The one tokenizer, stemmer and stop-word list that summaries and source comparison share (issue 18)."""

from __future__ import annotations

import pytest

from storyline.compare.align import STEM_PREFIX, content_stems
from storyline.summary.terms import sentence_terms
from storyline.text.tokens import stem, stop_words, tokens, word_runs


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


def test_prefix_is_a_coarser_key() -> None:
    assert stem("economy", STEM_PREFIX) == stem("economic", STEM_PREFIX) == "econo"
    assert stem("economy") != stem("economic")
    assert [stem(w, 5) for w in ("arrested", "cities", "people", "firefighters", "a", "Ministers", "bus")] == [
        "arres", "citie", "peopl", "firef", "a", "minis", "bus"
    ]


def test_tokens_keep_numbers_and_inner_apostrophes() -> None:
    found = tokens("Mr. O'Neill's 3,197 ex-workers paid $3.5m.")
    assert found == ["Mr", "O'Neill's", "3,197", "ex-workers", "paid", "3.5", "m"]


def test_word_runs_are_the_coarser_runs_comparison_matches_on() -> None:
    text = "Mr. O'Neill's 3,197 ex-workers paid $3.5m for COVID-19 tests in Zürich."
    assert word_runs(text) == ["Mr", "O'Neill's", "3", "197", "ex-workers", "paid", "3", "5m", "for", "COVID-19",
                               "tests", "in", "Zürich"]
    # stop words and one-character runs are left out; the stems are cut to STEM_PREFIX letters
    assert content_stems(text) == {"mr", "o'nei", "197", "5m", "ex-wo", "paid", "covid", "test", "züric"}


def test_summaries_and_comparison_share_one_stop_word_list() -> None:
    assert {"said", "according", "the", "monday"} <= stop_words()
    assert stop_words(filler=False) < stop_words()
    assert "said" in stop_words(filler=False) and "monday" not in stop_words(filler=False)
    sentence = "Police said the suspects were arrested in three cities on Monday."
    assert set(sentence_terms(sentence).words) == {"polic", "suspect", "arrest", "city"}
    assert content_stems(sentence) == {"polic", "suspe", "arres", "citie", "monda"}
