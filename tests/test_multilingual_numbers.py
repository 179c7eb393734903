"""Figures per language (issue 21): number words ("doce", "douze", "zwölf", "dvanáct", "δώδεκα"), scales,
percentages, currencies and what a figure counts, read so that "12 muertos" and "12 dead" are one figure of one kind;
a language without a rule list has its digits read in either notation (named ``digits only``)."""

from __future__ import annotations

import pytest

from storyline.compare.quantities import find_quantities
from storyline.text.dates import has_date_words
from storyline.text.numbers import DIGITS_ONLY, has_number_rules


@pytest.mark.parametrize(
    ("language", "text", "written", "unit", "value", "counts"),
    [
        ("es", "Hubo doce muertos en la explosión.", "doce muertos", "peopl", 12, "dead"),
        ("es", "Treinta y dos personas resultaron heridas.", "Treinta y dos personas", "peopl", 32, "injured"),
        ("es", "La obra costará 3,2 millones de dólares.", "3,2 millones de dólares", "$", 3.2e6, "cost"),
        ("es", "El paro subió al 15 por ciento.", "15 por ciento", "percent", 15, None),
        ("fr", "On compte douze morts et des dégâts.", "douze morts", "peopl", 12, "dead"),
        ("fr", "Il y a quatre-vingt-dix blessés.", "quatre-vingt-dix blessés", "peopl", 90, "injured"),
        ("fr", "Deux cents personnes ont été évacuées.", "Deux cents personnes", "peopl", 200, "evacuated"),
        ("fr", "Le taux atteint 12 % cette année.", "12 %", "percent", 12, None),
        ("de", "Es gab zwölf Tote bei dem Unglück.", "zwölf Tote", "peopl", 12, "dead"),
        ("de", "Zweiundzwanzig Menschen wurden verletzt.", "Zweiundzwanzig Menschen", "peopl", 22, "injured"),
        ("de", "Der Schaden beträgt 1.200 Euro.", "1.200 Euro", "€", 1200, None),
        ("it", "Ci sono stati dodici morti.", "dodici morti", "peopl", 12, "dead"),
        ("pt", "Foram registrados doze mortos.", "doze mortos", "peopl", 12, "dead"),
        ("cs", "Při nehodě zemřelo dvanáct lidí.", "dvanáct lidí", "peopl", 12, "dead"),
        ("cs", "Počet návštěvníků dosáhne 10 milionů.", "10 milionů", "dosáh", 1e7, None),
        ("el", "Υπήρξαν δώδεκα νεκροί στην έκρηξη.", "δώδεκα νεκροί", "peopl", 12, "dead"),
        ("el", "Το κόστος είναι 3,2 εκατομμύρια ευρώ.", "3,2 εκατομμύρια ευρώ", "€", 3.2e6, "cost"),
    ],
)
def test_number_words_and_units_per_language(language: str, text: str, written: str, unit: str, value: float,
                                             counts: str | None) -> None:
    (figure,) = find_quantities(text, language=language)
    assert (figure.written, figure.unit, figure.low, figure.counts) == (written, unit, value, counts)


def test_qualifiers_per_language_make_ranges() -> None:
    (es,) = find_quantities("Al menos doce muertos.", language="es")
    (de,) = find_quantities("Rund 100 Menschen flohen.", language="de")
    assert (es.low, es.high) == (12, float("inf"))
    assert (de.low, de.high) == pytest.approx((85, 115))


def test_a_year_is_not_a_figure_and_english_is_read_as_before() -> None:
    assert find_quantities("En 2007 llegaron doce personas.", language="es")[0].written == "doce personas"
    (english,) = find_quantities("At least twelve people died.", language="en")
    assert (english.written, english.low, english.counts) == ("At least twelve people", 12, "dead")
    assert find_quantities("At least twelve people died.") == [english]


def test_a_language_without_rules_has_its_digits_read_and_is_named() -> None:
    figures = find_quantities("Zginęło 12 osób i 1 200 rannych, inflacja 3,5 %.", language="pl")
    assert [(q.written, q.low) for q in figures] == [("12 osób", 12), ("1 200 rannych", 1200), ("3,5 %", 3.5)]
    assert find_quantities("Zginęło dwanaście osób.", language="pl") == []  # no Polish number words: digits only
    assert not has_number_rules("pl") and not has_number_rules("ar") and has_number_rules("cs")
    assert has_number_rules("") and has_number_rules("en") and has_date_words("de") and not has_date_words("cs")
    assert DIGITS_ONLY == "digits only"
