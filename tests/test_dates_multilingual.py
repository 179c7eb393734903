"""Spanish, French, German, Italian and Portuguese date expressions (issue 21), resolved as their English
counterparts are."""

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
        ("am 4. August 2017", "2017-08-04"),
        ("am 7. Juli", "2018-07-07"),
        ("im März 2016", "2016-03"),
        ("letztes Jahr", "2017"),
        ("im vergangenen Jahr", "2017"),
        ("gestern", "2018-09-04"),
        ("vor drei Tagen", "2018-09-02"),
        ("am Dienstag", "2018-09-04"),
        ("il 4 agosto 2017", "2017-08-04"),
        ("l'anno scorso", "2017"),
        ("ieri", "2018-09-04"),
        ("tre giorni fa", "2018-09-02"),
        ("martedì", "2018-09-04"),
        ("o ano passado", "2017"),
        ("ontem", "2018-09-04"),
        ("há 3 dias", "2018-09-02"),
        ("terça-feira", "2018-09-04"),
        ("em março de 2016", "2016-03"),
    ],
)
def test_expressions_in_each_language_resolve(expression: str, expected: str) -> None:
    assert normalize_date(expression, PUBLISHED) == expected


def test_offsets_point_at_the_expression_in_a_sentence() -> None:
    text = "El terremoto ocurrió el 4 de agosto de 2017, y el año pasado hubo otro."
    found = find_dates(text, PUBLISHED)
    assert [(text[d.start:d.end], d.date) for d in found] == [("4 de agosto de 2017", "2017-08-04"),
                                                              ("el año pasado", "2017")]


def test_english_capitalized_mars_is_not_a_month() -> None:
    assert [d.expression for d in find_dates("NASA sent a probe to Mars 2020 and Mars in 2021.", PUBLISHED)] == [
        "2021"]


def test_german_morgen_after_heute_is_this_morning_not_tomorrow() -> None:
    assert [(d.expression, d.date) for d in find_dates("Die Polizei meldete heute Morgen neue Zahlen.", PUBLISHED)] \
        == [("heute", "2018-09-05")]
