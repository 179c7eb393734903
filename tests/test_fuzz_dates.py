"""Property tests of the date normalizer: exact offsets, valid ISO dates or none, any publication date, no hang."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.text.dates import find_dates

from fuzzing import fuzz_settings, hostile_text, time_cap

ISO = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?|-W\d{2})?")
DATE_WORDS = ["Monday", "last", "next", "this", "week", "month", "year", "ago", "3", "days", "in", "March", "2019",
              "of", "the", "end", "early", "Sept.", "4th", "2024-02-30", "1999-12-31", "yesterday", "tomorrow",
              "will", "said", "twelve", "months", "since", "1899", "mid-", "percent", ",", "."]
date_text = st.one_of(hostile_text, st.lists(st.sampled_from(DATE_WORDS), max_size=60).map(" ".join))
published = st.none() | st.dates() | st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(2020, 2, 29)])


@fuzz_settings(examples=300, deadline_ms=1000)
@given(text=date_text, anchor=published)
def test_date_mentions_are_exact_spans_with_iso_dates(text: str, anchor: date | None) -> None:
    mentions = find_dates(text, anchor)
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.expression
        assert mention.date is None or ISO.fullmatch(mention.date), mention
        assert mention.anchor in (None, "unknown", anchor.isoformat() if anchor else None)
    spans = sorted((m.start, m.end) for m in mentions)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), "mentions overlap"


@pytest.mark.parametrize("words", ["Monday ", "3 days ago ", "last week ", "in March 2019, ", "2019-01-01 "])
def test_an_article_full_of_dates_is_read_in_linear_time(words: str) -> None:
    text = words * (300_000 // len(words))
    with time_cap(30.0, f"find_dates on {words.strip()!r} repeated"):
        mentions = find_dates(text, date(2020, 6, 1))
    assert len(mentions) >= 300_000 // len(words)
