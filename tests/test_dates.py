"""Date expressions found with their offsets and normalized against the publication date; never guessed."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.text.dates import UNKNOWN_ANCHOR, find_dates, normalize_date

PUBLISHED = date(2018, 9, 5)  # a Wednesday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("in August 2017", "2017-08"),
        ("on August 4th", "2018-08-04"),
        ("Aug. 4, 2018", "2018-08-04"),
        ("4 August 2018", "2018-08-04"),
        ("last year", "2017"),
        ("earlier this year", "2018"),
        ("by the end of the year", "2018"),
        ("on Tuesday", "2018-09-04"),
        ("last Wednesday", "2018-08-29"),
        ("next Monday", "2018-09-10"),
        ("yesterday", "2018-09-04"),
        ("last month", "2018-08"),
        ("three days ago", "2018-09-02"),
        ("two weeks ago", "2018-W34"),
        ("last week", "2018-W35"),
        ("in December", "2017-12"),
        ("in 1998", "1998"),
        ("2018-08-04", "2018-08-04"),
    ],
)
def test_expressions_resolve_against_the_publication_date(expression: str, expected: str) -> None:
    assert normalize_date(expression, PUBLISHED) == expected


def test_future_tense_looks_forward() -> None:
    assert normalize_date("The talks will resume on Tuesday", PUBLISHED) == "2018-09-11"
    assert normalize_date("Elections are scheduled for December 9", PUBLISHED) == "2018-12-09"


def test_without_a_publication_date_relative_expressions_stay_unresolved() -> None:
    text = "Last year, grenades were thrown. On August 4th drones exploded. In August 2017 he spoke."
    found = {m.expression: m for m in find_dates(text)}
    assert found["Last year"].date is None and found["Last year"].anchor == UNKNOWN_ANCHOR
    assert found["August 4th"].date is None and found["August 4th"].anchor == UNKNOWN_ANCHOR
    assert found["August 2017"].date == "2017-08" and found["August 2017"].anchor is None


def test_offsets_point_at_the_expression_and_anchor_is_recorded() -> None:
    text = "The dam broke on Tuesday morning, officials said on Wednesday."
    mentions = find_dates(text, PUBLISHED)
    assert [text[m.start : m.end] for m in mentions] == ["Tuesday morning", "Wednesday"]
    assert all(m.anchor == "2018-09-05" for m in mentions)
    assert mentions[1].date == "2018-09-05"


def test_numbers_modal_may_and_impossible_dates_are_not_dates() -> None:
    assert find_dates("They may leave; 2000 people marched; he is 45.", PUBLISHED) == []
    assert normalize_date("February 30, 2018", PUBLISHED) is None
    with pytest.raises(ValueError, match="no date expression"):
        normalize_date("soon", PUBLISHED)


def test_accuracy_on_labeled_duc_expressions_stays_above_the_floor() -> None:
    """Quality gate: bench/labels/compare_dates.json (110 expressions) measured 0.936; the floor is 0.9."""
    import json

    from conftest import DATA, ROOT

    labels = json.loads((ROOT / "bench/labels/compare_dates.json").read_text(encoding="utf-8"))["expressions"]
    docs: dict[str, str] = {}
    for line in (DATA / "mds/duc2003_task2.jsonl").open(encoding="utf-8"):
        cluster = json.loads(line)
        docs.update(zip(cluster["doc_ids"], cluster["documents"], strict=True))
    correct = 0
    for row in labels:
        found = [m for m in find_dates(docs[row["doc"]], date.fromisoformat(row["published"]))
                 if m.start <= row["start"] < m.end]  # fmt: skip
        correct += bool(found) and found[0].date == row["gold"]
    assert len(labels) >= 100 and correct / len(labels) >= 0.9


def _every_pattern(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, tuple[int, int], dict]]:
    """Each date pattern searched through the text: what ``find_dates`` must see, found without its word cues."""
    from storyline.text import dates

    end = len(text) if end is None else end
    return [(kind, m.span(), m.groupdict()) for kind, p in dates._PATTERNS for m in p.finditer(text, start, end)]


def _cued(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, tuple[int, int], dict]]:
    from storyline.text import dates

    end = len(text) if end is None else end
    return [(kind, m.span(), m.groupdict()) for kind, m in dates._matches(text, start, end)]


def test_word_cues_find_what_searching_every_pattern_finds_on_real_texts() -> None:
    """The patterns tried only where a text's words let them match (``dates._Cue``) find exactly what each pattern
    searched through finds: on real news (ECB+, DUC, MultiLing in 7 languages) whole and in a middle slice."""
    import json

    from conftest import DATA
    from realtexts import real_documents

    texts = [text for _, text in real_documents()][::6]
    with open(DATA / "multilingual" / "multiling2011_dev.jsonl", encoding="utf-8") as handle:
        texts += [json.loads(line)["text"] for line in handle][::3]
    assert len(texts) > 250
    found = 0
    for text in texts:
        expected = _every_pattern(text)
        assert _cued(text) == expected
        third = len(text) // 3
        assert _cued(text, third, 2 * third) == _every_pattern(text, third, 2 * third)
        found += len(expected)
    assert found > 500


def test_word_cues_find_what_searching_every_pattern_finds_on_word_salad() -> None:
    """Random runs of month, weekday, relation, unit and number words in every case, glued or spaced ("inMay",
    "LAST  Tuesday", "mid-June", "ſ", "ΤΗΣ"): the cues never hide a match."""
    import random

    from storyline.text import dates

    words = [*sorted(dates._MONTH_WORDS | dates._WEEKDAY_WORDS), *dates._FOREIGN_PERIODS, *dates._FOREIGN_DAY_WORDS,
             *dates._MONTH_RELATIONS, *dates._WEEKDAY_RELATIONS, *dates._YEAR_PREPOSITIONS,
             *"Sept. Jan. segunda-feira the end of year month week ago days 3 two 4th 1er 12 2017 1998 today "
              "2003-04-05 tonight night morning earlier later coming hace il y a vor fa tre giorni , . % percent "
              "ſ ı İ Σ ς".split()]
    rng = random.Random(5)
    for _ in range(4000):
        parts = [rng.choice(words) for _ in range(rng.randint(1, 8))]
        parts = [p.upper() if rng.random() < 0.1 else p.capitalize() if rng.random() < 0.2 else p for p in parts]
        text = "".join(p + rng.choice([" ", "  ", "", "\n", ", ", "-"]) for p in parts)
        assert _cued(text) == _every_pattern(text), text


def test_case_folds_are_the_letters_re_matches_beyond_str_lower() -> None:
    """``dates._CASE_FOLDS`` holds every character whose ``str.lower`` is a letter ``re`` matches, ignoring case, to
    another letter too (its own table), or is not one character: a text with none can be read by its lower case."""
    import sys
    from re import _casefix  # type: ignore[attr-defined]

    from storyline.text import dates

    extra = {chr(k) for k in _casefix._EXTRA_CASES} | {chr(v) for vs in _casefix._EXTRA_CASES.values() for v in vs}
    extra -= {"i", "s"}  # "I" lowers to "i" as re reads it; their other forms ("ı", "ſ") are in the set
    expected = {chr(c) for c in range(sys.maxunicode + 1) if len(chr(c).lower()) != 1 or chr(c).lower() in extra}
    assert expected == dates._CASE_FOLDS
