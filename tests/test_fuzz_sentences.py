"""Property tests of the sentence splitter: offsets are exact, spans ordered and disjoint, no text lost, no hang."""

from __future__ import annotations

import pytest
from hypothesis import given

from storyline.text.sentences import split_sentences

from fuzzing import fuzz_settings, hostile_text, news_text, time_cap


def check_invariants(text: str) -> None:
    sentences = split_sentences(text, "fuzz")
    previous_end = 0
    for i, sentence in enumerate(sentences):
        assert sentence.index == i and sentence.article_id == "fuzz"
        assert 0 <= previous_end <= sentence.start < sentence.end <= len(text)
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip() or not sentence.text.strip(), repr(sentence.text)
        # Whatever lies between two sentences is whitespace: no word is dropped.
        assert not text[previous_end : sentence.start].strip(), repr(text[previous_end : sentence.start])
        previous_end = sentence.end
    assert not text[previous_end:].strip()


@fuzz_settings(examples=300, deadline_ms=500)
@given(hostile_text)
def test_any_text_splits_into_exact_ordered_disjoint_spans(text: str) -> None:
    check_invariants(text)


@fuzz_settings(examples=300, deadline_ms=500)
@given(news_text)
def test_news_shaped_text_splits_into_exact_ordered_disjoint_spans(text: str) -> None:
    check_invariants(text)


PATHOLOGICAL = {
    "100k dots": "." * 100_000,
    "100k ?!": "?!" * 50_000,
    "100k ellipses": "…" * 100_000,
    "dots then a word": "." * 100_000 + " The end.",
    "dot-space runs": ". " * 50_000 + "Word",
    "quote runs": '."' * 50_000 + " Next",
    "1M letters, no spaces": "a" * 1_000_000,
    "1M spaces": " " * 1_000_000,
    "100k newlines": "\n" * 100_000,
    "newline-space runs": "\n " * 50_000 + "x",
    "carriage returns": "\r" * 100_000 + "x.",
    "abbreviations": "Mr. " * 50_000,
    "initialisms": "U.S." * 50_000 + " The",
    "short sentences": "A. " * 50_000,
    "long word after dots": ". " + "b" * 500_000,
    "spaces after a dot": "a." + " " * 500_000 + "(",
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_text_is_split_in_linear_time(name: str) -> None:
    text = PATHOLOGICAL[name]
    with time_cap(10.0, f"split_sentences on {name}"):  # generous: shared CPUs; old code took minutes
        check_invariants(text)
