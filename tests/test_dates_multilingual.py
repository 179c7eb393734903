"""Spanish and French date expressions (issue 21), resolved as their English counterparts are."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.text.dates import find_dates, normalize_date

PUBLISHED = date(2018, 9, 5)  # a Wednesday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("4 de agosto de 2017", "2017-08-04"),
        ("el 4 de agosto", "2018-08-04"),
        ("en agosto de 2017", "2017-08"),
        ("el año pasado", "2017"),
        ("El mes pasado", "2018-08"),
        ("la semana pasada", "2018-W35"),
        ("ayer", "2018-09-04"),
        ("el martes", "2018-09-04"),
        ("hace tres días", "2018-09-02"),
        ("le 7 juillet", "2018-07-07"),
        ("le 1er janvier 2019", "2019-01-01"),
        ("en août 2016", "2016-08"),
        ("l'année dernière", "2017"),
        ("la semaine prochaine", "2018-W37"),
        ("hier", "2018-09-04"),
        ("il y a deux semaines", "2018-W34"),
        ("mardi", "2018-09-04"),
    ],
)
def test_spanish_and_french_expressions_resolve(expression: str, expected: str) -> None:
    assert normalize_date(expression, PUBLISHED) == expected


def test_offsets_point_at_the_expression_in_a_sentence() -> None:
    text = "El terremoto ocurrió el 4 de agosto de 2017, y el año pasado hubo otro."
    found = find_dates(text, PUBLISHED)
    assert [(text[d.start:d.end], d.date) for d in found] == [("4 de agosto de 2017", "2017-08-04"),
                                                              ("el año pasado", "2017")]


def test_english_capitalized_mars_is_not_a_month() -> None:
    assert [d.expression for d in find_dates("NASA sent a probe to Mars 2020 and Mars in 2021.", PUBLISHED)] == [
        "2021"]
