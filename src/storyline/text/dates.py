"""Find date expressions in news text and normalize them against the article's publication date.

"in August 2017" needs no anchor; "Tuesday", "last year", "earlier this month", "three days ago" and
"August 4th" are resolved against the publication date, and stay unresolved (``date`` ``None``, anchor
``"unknown"``) when it is not known: a date is never guessed. Spanish, French, German, Italian, Portuguese, Czech and
Greek are read too (issue 21): month and weekday names ("4 de agosto de 2017", "le 7 juillet", "am 4. August",
"4. srpna 2017", "4 Αυγούστου 2017", "el martes"), "el año pasado", "la semaine dernière", "letztes Jahr", "l'anno
scorso", "loni", "πέρυσι", "ayer", "gestern", "včera", "χθες", "hace 3 días", "vor drei Tagen", "tre giorni fa";
other languages get their digits-only forms (ISO dates).
Dates are ISO 8601 at the precision the text gives: ``2018``, ``2018-08``, ``2018-W31`` (a week), ``2018-08-04``."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from .cues import before_space, matches_at, occurrences

UNKNOWN_ANCHOR = "unknown"
DATE_LANGUAGES = frozenset({"en", "es", "fr", "de", "it", "pt", "cs", "el"})
"""Languages whose month and weekday names, periods ("el año pasado", "letztes Jahr") and day words are read; any
other language gets the forms without words (ISO dates), counted by the pipeline."""


def has_date_words(language: str | None) -> bool:
    """Whether dates in ``language`` are read with their words (English or unknown, and ``DATE_LANGUAGES``)."""
    return (language or "en").lower().split("-")[0] in DATE_LANGUAGES

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
# Spanish and French month names (lower case, as they are written in running text: "Mars" stays a planet).
_FOREIGN_MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "août": 8,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7, "settembre": 9, "ottobre": 10,
    "dicembre": 12, "janeiro": 1, "fevereiro": 2, "março": 3, "maio": 5, "junho": 6, "julho": 7, "setembro": 9,
    "outubro": 10, "dezembro": 12,
    "ledna": 1, "února": 2, "března": 3, "dubna": 4, "května": 5, "června": 6, "července": 7, "srpna": 8,
    "září": 9, "října": 10, "listopadu": 11, "prosince": 12, "leden": 1, "únor": 2, "březen": 3, "duben": 4,
    "květen": 5, "červen": 6, "červenec": 7, "srpen": 8, "říjen": 10, "listopad": 11, "prosinec": 12,
}  # fmt: skip
# German month names, capitalized as German writes every noun (April, August, September, November: as English).
_GERMAN_MONTHS = {"Januar": 1, "Jänner": 1, "Februar": 2, "März": 3, "Mai": 5, "Juni": 6, "Juli": 7, "Oktober": 10,
                  "Dezember": 12,
                  # Greek months in the genitive of dates ("4 Αυγούστου 2017"), capitalized as written
                  "Ιανουαρίου": 1, "Φεβρουαρίου": 2, "Μαρτίου": 3, "Απριλίου": 4, "Μαΐου": 5, "Ιουνίου": 6,
                  "Ιουλίου": 7, "Αυγούστου": 8, "Σεπτεμβρίου": 9, "Οκτωβρίου": 10, "Νοεμβρίου": 11, "Δεκεμβρίου": 12}
_MONTHS.update(_FOREIGN_MONTHS)
_MONTHS.update({k.lower(): v for k, v in _GERMAN_MONTHS.items()})
_WEEKDAYS = {d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_FOREIGN_WEEKDAYS = {
    "lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3, "viernes": 4, "sábado": 5, "sabado": 5,
    "domingo": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "lunedì": 0, "martedì": 1, "mercoledì": 2, "giovedì": 3, "venerdì": 4, "sabato": 5, "domenica": 6,
    "segunda-feira": 0, "terça-feira": 1, "quarta-feira": 2, "quinta-feira": 3, "sexta-feira": 4,
    "pondělí": 0, "úterý": 1, "středa": 2, "středu": 2, "čtvrtek": 3, "pátek": 4, "sobota": 5, "sobotu": 5,
    "neděle": 6, "neděli": 6,
}  # fmt: skip
_GERMAN_WEEKDAYS = {"Montag": 0, "Dienstag": 1, "Mittwoch": 2, "Donnerstag": 3, "Freitag": 4, "Samstag": 5,
                    "Sonnabend": 5, "Sonntag": 6}
_WEEKDAYS.update(_FOREIGN_WEEKDAYS)
_WEEKDAYS.update({k.lower(): v for k, v in _GERMAN_WEEKDAYS.items()})
# "el año pasado", "l'année dernière" ... -> (which, unit) as the English "last year" reads them.
_FOREIGN_PERIODS = {
    "el año pasado": ("last", "year"), "el pasado año": ("last", "year"), "el año próximo": ("next", "year"),
    "el próximo año": ("next", "year"), "el año que viene": ("next", "year"), "este año": ("this", "year"),
    "el mes pasado": ("last", "month"), "el próximo mes": ("next", "month"), "el mes que viene": ("next", "month"),
    "este mes": ("this", "month"), "la semana pasada": ("last", "week"), "la próxima semana": ("next", "week"),
    "la semana que viene": ("next", "week"), "esta semana": ("this", "week"),
    "l'année dernière": ("last", "year"), "l’année dernière": ("last", "year"), "l'an dernier": ("last", "year"),
    "l’an dernier": ("last", "year"), "l'an passé": ("last", "year"), "l’an passé": ("last", "year"),
    "l'année prochaine": ("next", "year"), "l’année prochaine": ("next", "year"), "cette année": ("this", "year"),
    "le mois dernier": ("last", "month"), "le mois prochain": ("next", "month"), "ce mois-ci": ("this", "month"),
    "la semaine dernière": ("last", "week"), "la semaine prochaine": ("next", "week"),
    "cette semaine": ("this", "week"),
    "letztes jahr": ("last", "year"), "im letzten jahr": ("last", "year"), "vergangenes jahr": ("last", "year"),
    "im vergangenen jahr": ("last", "year"), "vorigen jahres": ("last", "year"), "nächstes jahr": ("next", "year"),
    "im nächsten jahr": ("next", "year"), "kommendes jahr": ("next", "year"), "im kommenden jahr": ("next", "year"),
    "dieses jahr": ("this", "year"), "in diesem jahr": ("this", "year"), "letzten monat": ("last", "month"),
    "im vergangenen monat": ("last", "month"), "im letzten monat": ("last", "month"),
    "nächsten monat": ("next", "month"), "im nächsten monat": ("next", "month"), "diesen monat": ("this", "month"),
    "letzte woche": ("last", "week"), "vergangene woche": ("last", "week"),
    "in der vergangenen woche": ("last", "week"),
    "nächste woche": ("next", "week"), "kommende woche": ("next", "week"), "diese woche": ("this", "week"),
    "l'anno scorso": ("last", "year"), "l’anno scorso": ("last", "year"), "lo scorso anno": ("last", "year"),
    "l'anno prossimo": ("next", "year"), "l’anno prossimo": ("next", "year"), "il prossimo anno": ("next", "year"),
    "quest'anno": ("this", "year"), "quest’anno": ("this", "year"), "il mese scorso": ("last", "month"),
    "lo scorso mese": ("last", "month"), "il mese prossimo": ("next", "month"), "la settimana scorsa": ("last", "week"),
    "la scorsa settimana": ("last", "week"), "la settimana prossima": ("next", "week"),
    "la prossima settimana": ("next", "week"), "questa settimana": ("this", "week"),
    "o ano passado": ("last", "year"), "no ano passado": ("last", "year"), "o próximo ano": ("next", "year"),
    "no próximo ano": ("next", "year"), "o mês passado": ("last", "month"), "no mês passado": ("last", "month"),
    "o próximo mês": ("next", "month"), "a semana passada": ("last", "week"), "na semana passada": ("last", "week"),
    "a próxima semana": ("next", "week"), "na próxima semana": ("next", "week"),
    "loni": ("last", "year"), "vloni": ("last", "year"), "minulý rok": ("last", "year"),
    "minulého roku": ("last", "year"), "letos": ("this", "year"), "příští rok": ("next", "year"),
    "příštím roce": ("next", "year"), "minulý měsíc": ("last", "month"), "příští měsíc": ("next", "month"),
    "minulý týden": ("last", "week"), "minulém týdnu": ("last", "week"), "příští týden": ("next", "week"),
    "tento týden": ("this", "week"),
    "πέρυσι": ("last", "year"), "πέρσι": ("last", "year"), "φέτος": ("this", "year"),
    "του χρόνου": ("next", "year"), "τον περασμένο μήνα": ("last", "month"), "τον επόμενο μήνα": ("next", "month"),
    "την περασμένη εβδομάδα": ("last", "week"), "την προηγούμενη εβδομάδα": ("last", "week"),
    "την επόμενη εβδομάδα": ("next", "week"), "αυτή την εβδομάδα": ("this", "week"),
}  # fmt: skip
_FOREIGN_DAY_WORDS = {"hoy": 0, "ayer": -1, "anteayer": -2, "aujourd'hui": 0, "aujourd’hui": 0, "hier": -1,
                      "avant-hier": -2, "demain": 1, "heute": 0, "gestern": -1, "vorgestern": -2, "oggi": 0,
                      "ieri": -1, "domani": 1, "hoje": 0, "ontem": -1, "anteontem": -2, "amanhã": 1, "včera": -1,
                      "dnes": 0, "zítra": 1, "předevčírem": -2, "χθες": -1, "χτες": -1, "σήμερα": 0, "αύριο": 1,
                      "προχθές": -2}
# ("morgen", tomorrow, is left out: "heute Morgen" is this morning, and the pattern ignores case.)
_FOREIGN_UNITS = {"día": "day", "días": "day", "dia": "day", "dias": "day", "semana": "week", "semanas": "week",
                  "mes": "month", "meses": "month", "año": "year", "años": "year", "jour": "day", "jours": "day",
                  "semaine": "week", "semaines": "week", "mois": "month", "an": "year", "ans": "year",
                  "année": "year", "années": "year", "tag": "day", "tagen": "day", "woche": "week",
                  "wochen": "week", "monat": "month", "monaten": "month", "jahr": "year", "jahren": "year",
                  "giorno": "day", "giorni": "day", "settimana": "week", "settimane": "week", "mese": "month",
                  "mesi": "month", "anno": "year", "anni": "year", "mês": "month", "ano": "year", "anos": "year"}
_FOREIGN_NUMBERS = {"un": 1, "una": 1, "une": 1, "dos": 2, "deux": 2, "tres": 3, "trois": 3, "cuatro": 4,
                    "quatre": 4, "cinco": 5, "cinq": 5, "seis": 6, "six": 6, "siete": 7, "sept": 7, "ocho": 8,
                    "huit": 8, "nueve": 9, "neuf": 9, "diez": 10, "dix": 10, "einem": 1, "einer": 1, "zwei": 2,
                    "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
                    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6, "sette": 7, "otto": 8, "dieci": 10,
                    "uma": 1, "dois": 2, "duas": 2, "três": 3, "sete": 7, "oito": 8, "nove": 9, "dez": 10}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?|"
    + "|".join(sorted([*_FOREIGN_MONTHS, *_GERMAN_MONTHS], key=len, reverse=True))
    + ")"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
_WEEKDAY = (
    r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    + "|".join(sorted([*_FOREIGN_WEEKDAYS, *_GERMAN_WEEKDAYS], key=len, reverse=True))
    + ")"
)
_PART = r"(?:\s+(?:morning|afternoon|evening|night))?"
_N = r"(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"

_MONTH_RELATIONS = ("last", "next", "this", "early", "late", "mid-", "in", "since", "until", "by", "during", "from",
                    "through")
_WEEKDAY_RELATIONS = ("last", "next", "this", "on", "past", "coming", "late", "early")
_YEAR_PREPOSITIONS = ("in", "since", "by", "until", "during", "of", "from", "early", "late", "mid-", "before", "after")

# Longest and most specific first: the first pattern that matches at a position wins.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b")),
    # German: "4. August 2017", "am 7. Juli"
    ("day_month_year", re.compile(rf"\b{_DAY}\.\s+{_MONTH}\s+{_YEAR}\b")),
    ("day_month", re.compile(rf"\b{_DAY}\.\s+{_MONTH}\b")),
    ("month_day_year", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b")),
    ("day_month_year", re.compile(rf"\b{_DAY}(?:\s+of|\s+de)?\s+{_MONTH}(?:,|\s+de)?\s+{_YEAR}\b")),
    ("month_year", re.compile(rf"\b{_MONTH},?\s+(?:of\s+|de\s+)?{_YEAR}\b")),
    ("month_day", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?![,.]?\d|\s*(?:%|percent|million|billion))")),
    ("day_month", re.compile(rf"\b{_DAY}(?:\s+of|\s+de)?\s+{_MONTH}\b")),
    (
        "foreign_period",
        re.compile(r"(?i)(?<!\w)(?P<phrase>" + "|".join(map(re.escape, sorted(_FOREIGN_PERIODS, key=len, reverse=True)))
                   + r")(?!\w)"),
    ),
    (
        "foreign_ago",
        re.compile(r"(?i)\b(?:hace|il\s+y\s+a|há|vor)\s+(?P<n>\d{1,3}|" + "|".join(_FOREIGN_NUMBERS) + r")\s+(?P<unit>"
                   + "|".join(sorted(_FOREIGN_UNITS, key=len, reverse=True)) + r")(?!\w)"),
    ),
    (
        "foreign_ago",  # Italian puts "fa" after: "tre giorni fa"
        re.compile(r"(?i)(?<!\w)(?P<n>\d{1,3}|" + "|".join(_FOREIGN_NUMBERS) + r")\s+(?P<unit>giorn[oi]|settiman[ae]|"
                   r"mes[ei]|ann[oi])\s+fa\b"),
    ),
    (
        "foreign_day_word",
        re.compile(r"(?i)(?<!\w)(?P<word>" + "|".join(map(re.escape, sorted(_FOREIGN_DAY_WORDS, key=len, reverse=True)))
                   + r")(?!\w)"),
    ),
    (
        "relative_month",
        re.compile(rf"\b(?P<rel>(?i:{'|'.join(_MONTH_RELATIONS)}))\s*{_MONTH}\b"),
    ),
    (
        "relative_weekday",
        re.compile(rf"\b(?P<rel>(?i:{'|'.join(_WEEKDAY_RELATIONS)}))\s+{_WEEKDAY}{_PART}\b"),
    ),
    ("weekday", re.compile(rf"\b{_WEEKDAY}{_PART}\b")),
    (
        "edge_of_period",
        re.compile(
            r"\b(?:the\s+)?(?P<edge>end|beginning|start|middle)\s+of\s+(?P<which>the|this|last|next)\s+"
            r"(?P<unit>year|month|week)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "relative_period",
        re.compile(
            r"\b(?:(?P<mod>earlier|later|early|late)\s+)?(?P<which>last|this|next|past|coming)\s+"
            r"(?P<unit>year|month|week)\b",
            re.IGNORECASE,
        ),
    ),
    ("ago", re.compile(rf"\b{_N}\s+(?P<unit>day|week|month|year)s?\s+ago\b", re.IGNORECASE)),
    (
        "day_word",
        re.compile(
            r"\b(?P<word>today|yesterday|tomorrow|tonight|last\s+night|this\s+(?:morning|afternoon|evening)|"
            r"earlier\s+today)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "year",
        re.compile(rf"\b(?P<prep>(?i:{'|'.join(_YEAR_PREPOSITIONS)}))\s+{_YEAR}\b(?!\s*%)"),
    ),
]


_WORD = re.compile(r"\w+")
_DAY_WORD = re.compile(r"[0-3]?\d(?:st|nd|rd|th|er)?")
_MONTH_WORDS = frozenset({
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    *_FOREIGN_MONTHS, *_GERMAN_MONTHS,
})  # fmt: skip
"""The words ``_MONTH`` matches, as written (it is case-sensitive)."""
_WEEKDAY_WORDS = frozenset(_WORD.findall(name)[0]
                           for name in (*"Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
                                        *_FOREIGN_WEEKDAYS, *_GERMAN_WEEKDAYS))
"""The first word of each name ``_WEEKDAY`` matches, as written ("segunda" of "segunda-feira")."""
_CASE_FOLDS = frozenset("µİıſ\u0345ΐΒΕΘΙΚΜΠΡΣΦΰβεθικμπρςσφϐϑϕϖϰϱϴϵВДОСТЪвдостъѢѣᲀᲁᲂᲃᲄᲅᲆᲇᲈṠṡẛ"
                         "\u1fbe\u1fd3\u1fe3\ua64a\ua64b\ufb05\ufb06")
"""Characters a case-insensitive pattern matches to a letter that ``str.lower`` does not map them to ("ſ" to "s",
"ς" to "σ"; "İ" lowers to two characters): a text with one is searched with every case-insensitive pattern as it
is (``tests/test_dates.py`` derives this set from ``re``'s own table)."""


@dataclass(frozen=True, slots=True)
class _Cue:
    r"""Where a pattern can match, read from a text's words (``\w+`` runs) before any pattern runs.

    Every match holds one of ``words`` (as written), of ``folded`` (in lower case: the pattern ignores case) or,
    with ``year``, a four-digit word 18xx-20xx, as a whole word: a text with none is not searched. Where the
    matches can start is ``start``: ``"cue"`` at such a word, ``"day"`` at a day number ("4", "4th"), ``"begins"``
    at one of ``begins`` (lower case), ``"after"`` one of ``lengths`` characters before the whitespace (at least
    ``gap`` characters of it) before such a word (a relation word: "last Tuesday", "in 2017"); the pattern is then
    matched at those places only, in order, as ``finditer`` would find them. ``"scan"``: searched through."""

    words: frozenset[str] = frozenset()
    folded: frozenset[str] = frozenset()
    year: bool = False
    start: str = "scan"
    begins: frozenset[str] = frozenset()
    lengths: frozenset[int] = frozenset()
    gap: int = 0


def _longest_words(phrases: Collection[str]) -> frozenset[str]:
    return frozenset(max(_WORD.findall(phrase.lower()), key=len) for phrase in phrases)


def _lengths(words: Collection[str]) -> frozenset[int]:
    return frozenset(len(w) for w in words)


_UNITS = frozenset({"year", "month", "week"})
_CUES: dict[str, _Cue] = {
    "iso": _Cue(year=True, start="cue"),
    "day_month_year": _Cue(_MONTH_WORDS, start="day"),
    "day_month": _Cue(_MONTH_WORDS, start="day"),
    "month_day_year": _Cue(_MONTH_WORDS, start="cue"),
    "month_year": _Cue(_MONTH_WORDS, start="cue"),
    "month_day": _Cue(_MONTH_WORDS, start="cue"),
    "foreign_period": _Cue(folded=_longest_words(_FOREIGN_PERIODS)),
    "foreign_ago": _Cue(folded=frozenset({"hace", "il", "há", "vor", "fa"})),
    "foreign_day_word": _Cue(folded=_longest_words(_FOREIGN_DAY_WORDS)),
    # "in May", or "inMay" (no space needed after the relation word): a text with such a word is searched through
    "relative_month": _Cue(_MONTH_WORDS, frozenset(r + m.lower() for r in _MONTH_RELATIONS for m in _MONTH_WORDS),
                           start="after", lengths=_lengths(_MONTH_RELATIONS)),
    "relative_weekday": _Cue(_WEEKDAY_WORDS, start="after", lengths=_lengths(_WEEKDAY_RELATIONS), gap=1),
    "weekday": _Cue(_WEEKDAY_WORDS, start="cue"),
    "edge_of_period": _Cue(folded=_UNITS, start="begins",
                           begins=frozenset({"the", "end", "beginning", "start", "middle"})),
    "relative_period": _Cue(folded=_UNITS, start="begins", begins=frozenset(
        {"earlier", "later", "early", "late", "last", "this", "next", "past", "coming"})),
    "ago": _Cue(folded=frozenset({"ago"})),
    "day_word": _Cue(folded=frozenset({"today", "yesterday", "tomorrow", "tonight", "night", "morning", "afternoon",
                                        "evening"}),
                     start="begins", begins=frozenset({"today", "yesterday", "tomorrow", "tonight", "last", "this",
                                                        "earlier"})),
    "year": _Cue(year=True, start="after", lengths=_lengths(_YEAR_PREPOSITIONS), gap=1),
}


def _matches(text: str, start: int, end: int) -> list[tuple[str, re.Match[str]]]:
    """What each pattern of ``_PATTERNS`` finds in ``text[start:end]``, pattern by pattern, each pattern's matches in
    order and not overlapping each other (as ``finditer`` finds them): each pattern is tried only where its
    ``_Cue`` says a match can start, or not at all."""
    words = set(_WORD.findall(text, start, end))
    folded = {w.lower() for w in words}
    every_case = not _CASE_FOLDS.isdisjoint(text)  # the whole text: ``lowered`` keeps its offsets
    years = [w for w in words if len(w) == 4 and w[:2] in ("18", "19", "20")]
    days: list[str] | None = None
    lowered = ""
    found: list[tuple[str, re.Match[str]]] = []
    for kind, pattern in _PATTERNS:
        cue = _CUES[kind]
        present = list(words & cue.words)
        present_folded = cue.folded and (every_case or not cue.folded.isdisjoint(folded))
        if not present and not present_folded and not (cue.year and years):
            continue
        places: list[int] | None = None
        if cue.start == "cue" and not cue.folded:
            places = occurrences(text, present + years if cue.year else present, start, end)
        elif cue.start == "day":
            if days is None:  # "4", "4th", "1er": a first character ``\d`` matches (``str.isdecimal``)
                days = [w for w in words if w[0].isdecimal() and _DAY_WORD.fullmatch(w)]
            places = occurrences(text, days, start, end)
        elif cue.start == "begins" and not every_case:
            lowered = lowered or text.lower()
            places = occurrences(lowered, cue.begins & folded, start, end)
        elif cue.start == "after" and not present_folded:
            anchors = occurrences(text, present + years if cue.year else present, start, end)
            places = before_space(text, anchors, cue.lengths, cue.gap, start)
        if places is None:
            found.extend((kind, m) for m in pattern.finditer(text, start, end))
        else:
            found.extend((kind, m) for m in matches_at(pattern, text, places, start, end))
    return found


_FUTURE = re.compile(
    r"\b(?:will|won't|wo n't|shall|'ll|going to|plans? to|planned|scheduled|expected|due to|set to|upcoming|"
    r"(?:is|are) to be|might|would|forecast|until)\b[^.;!?]*$",
    re.IGNORECASE,
)
FUTURE_WINDOW = 60
"""Characters before an expression searched for a future cue ("will vote next week", "is to be released")."""


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date expression: ``text[start:end] == expression``; ``date`` is ISO 8601 or ``None``.

    ``anchor`` is the publication date it was resolved against, ``"unknown"`` when it needed one that is
    not known, and ``None`` when the expression is absolute ("in August 2017").
    """

    start: int
    end: int
    expression: str
    date: str | None
    anchor: str | None
    kind: str


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _week(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def first_day(iso: str) -> date:
    """The first day of a normalized date as :func:`normalize_date` writes it (``2026``, ``2026-09``,
    ``2026-09-14``, ``2026-W38``); ValueError for anything else."""
    if "-W" in iso:
        year, week = iso.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    parts = [int(p) for p in iso.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _pick(candidates: list[date], anchor: date, future: bool) -> date:
    """Among candidate readings, the latest not after the anchor (past), or the earliest not before it."""
    if future:
        after = [c for c in candidates if c >= anchor]
        return min(after) if after else max(candidates)
    before = [c for c in candidates if c <= anchor]
    return max(before) if before else min(candidates)


def _resolve(kind: str, m: re.Match[str], anchor: date | None, future: bool) -> tuple[str | None, bool]:
    """ISO date of one match and whether it needed the anchor; ``None`` when it cannot be resolved."""
    g = m.groupdict()
    if kind == "iso":
        day = _valid(int(g["year"]), int(g["mnum"]), int(g["day"]))
        return (day.isoformat() if day else None), False
    if kind in {"month_day_year", "day_month_year"}:
        day = _valid(int(g["year"]), _month(g["month"]), int(g["day"]))
        return (day.isoformat() if day else None), False
    if kind == "month_year":
        return f"{int(g['year']):04d}-{_month(g['month']):02d}", False
    if kind == "year":
        return g["year"], False
    if anchor is None:
        return None, True
    if kind in {"month_day", "day_month"}:
        month, day_of_month = _month(g["month"]), int(g["day"])
        years = (anchor.year - 1, anchor.year, anchor.year + 1)
        candidates = [d for y in years if (d := _valid(y, month, day_of_month))]
        return (_pick(candidates, anchor, future).isoformat() if candidates else None), True
    if kind == "relative_month":
        month, rel = _month(g["month"]), g["rel"].lower()
        if rel == "last":
            future = False
        elif rel == "next":
            future = True
        elif rel == "this":
            return f"{anchor.year:04d}-{month:02d}", True
        candidates = [date(y, month, 1) for y in (anchor.year - 1, anchor.year, anchor.year + 1)]
        month_anchor = anchor.replace(day=1)
        if rel == "last" and month == anchor.month:
            month_anchor = date(anchor.year - 1, month, 1)
        if rel == "next" and month == anchor.month:
            month_anchor = date(anchor.year + 1, month, 1)
        chosen = _pick(candidates, month_anchor, future)
        return f"{chosen.year:04d}-{chosen.month:02d}", True
    if kind in {"weekday", "relative_weekday"}:
        target = _WEEKDAYS[g["weekday"].lower()]
        rel = (g.get("rel") or "").lower()
        back = (anchor.weekday() - target) % 7
        if rel in {"next", "coming"} or (future and rel not in {"last", "past"}):
            ahead = (target - anchor.weekday()) % 7 or 7
            return (anchor + timedelta(days=ahead)).isoformat(), True
        if rel in {"last", "past"} and back == 0:
            back = 7
        return (anchor - timedelta(days=back)).isoformat(), True
    if kind == "day_word":
        word = " ".join(g["word"].lower().split())
        offset = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(word, 0)
        return (anchor + timedelta(days=offset)).isoformat(), True
    if kind in {"relative_period", "edge_of_period", "foreign_period"}:
        if kind == "foreign_period":
            which, unit = _FOREIGN_PERIODS[g["phrase"].lower()]
        else:
            which, unit = g["which"].lower(), g["unit"].lower()
        delta = {"last": -1, "past": -1, "next": 1, "coming": 1}.get(which, 0)
        if unit == "year":
            return f"{anchor.year + delta:04d}", True
        if unit == "month":
            year, month = _shift_month(anchor.year, anchor.month, delta)
            return f"{year:04d}-{month:02d}", True
        return _week(anchor + timedelta(weeks=delta)), True
    if kind == "foreign_day_word":
        return (anchor + timedelta(days=_FOREIGN_DAY_WORDS[g["word"].lower()])).isoformat(), True
    if kind in {"ago", "foreign_ago"}:
        n_text = g["n"].lower()
        unit = _FOREIGN_UNITS[g["unit"].lower()] if kind == "foreign_ago" else g["unit"].lower()
        n = int(n_text) if n_text.isdigit() else {**_NUMBER_WORDS, **_FOREIGN_NUMBERS}[n_text]
        if unit == "day":
            return (anchor - timedelta(days=n)).isoformat(), True
        if unit == "week":
            return _week(anchor - timedelta(weeks=n)), True
        if unit == "month":
            year, month = _shift_month(anchor.year, anchor.month, -n)
            return f"{year:04d}-{month:02d}", True
        return f"{anchor.year - n:04d}", True
    raise ValueError(f"unknown date pattern kind {kind!r}")


_TRIM = re.compile(r"(?:in|on|since|by|until|during|of|from|through)\s+", re.IGNORECASE)


def find_dates(text: str, published: date | None = None, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Date expressions in ``text[start:end]``, resolved against ``published`` (the article's publication day)."""
    end = len(text) if end is None else end
    # Characters already inside a found expression: an overlap check in O(span), so a text with 100k date words
    # stays linear (a list of spans made it quadratic: minutes for one long article).
    taken = bytearray(len(text))
    found: list[DateMention] = []
    anchor_text = published.isoformat() if published else UNKNOWN_ANCHOR
    for kind, m in _matches(text, start, end):
        s, e = m.span()
        if taken.find(1, s, e) != -1:
            continue
        trimmed = _TRIM.match(text, s, e)
        if trimmed and kind not in {"relative_weekday"}:
            s = trimmed.end()
        elif kind == "relative_weekday" and m.group("rel").lower() == "on":
            s = m.start("weekday")
        # The tense that governs an expression is the verb just before it: "said Thursday it will" is past.
        window_start = max(text.rfind(".", start, s), text.rfind("\n", start, s), start, s - FUTURE_WINDOW)
        future = bool(_FUTURE.search(text[window_start:s]))
        try:
            iso, relative = _resolve(kind, m, published, future)
        except (OverflowError, ValueError):  # resolves outside years 1-9999 (an absurd publication date)
            iso, relative = None, True
        anchor = (anchor_text if relative else None)
        taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        found.append(DateMention(s, e, text[s:e], iso, anchor, kind))
    found.sort(key=lambda d: d.start)
    return found


def normalize_date(expression: str, published: date | None = None) -> str | None:
    """The ISO 8601 date of one expression ("last Tuesday", "August 4th"), or ``None`` when unresolvable."""
    mentions = find_dates(expression, published)
    if not mentions:
        raise ValueError(f"no date expression found in {expression!r}; see storyline.text.dates for what is read")
    return mentions[0].date
