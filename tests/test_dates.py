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
