"""Figures written in words and the words around them, per language (issue 21): "doce", "douze", "zwölf", "dvanáct",
"δώδεκα",
"treinta y dos", "quatre-vingt-dix", "zweiundzwanzig"; what a figure counts ("12 muertos", "douze blessés",
"zwölf Tote"); scale, percent, currency and qualifier words ("3,2 millones de dólares", "au moins 40").

English is read by ``compare/quantities.py``'s own tables; ``NUMBER_RULES`` holds the other languages with a rule
list. A language without one (``number_rules`` returns None) has its digits read in either notation and no number
words: the fallback is named ``digits only`` and counted per article by the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NumberRules:
    """One language's words for figures: each table maps a lower-case word (or phrase) to what it means."""

    words: dict[str, int]
    """Number words and their values ("doce": 12). Values of parts add up ("treinta y dos"); a hundred word after a
    smaller number multiplies ("deux cents")."""
    joiners: tuple[str, ...]
    """Words that join the parts of one number ("y", "et", "e"); German writes its compounds in one word
    ("zweiundzwanzig"), read by ``compound`` instead."""
    scales: dict[str, float]
    """Words that multiply the number before them ("millones": 1e6); "un/une/ein" counts only before one."""
    ones: tuple[str, ...]
    """Words for one that are also articles ("un", "une", "ein"): read only before a scale word."""
    percent: tuple[str, ...]
    currencies: dict[str, str]
    """Currency words after a figure ("dólares": "$") and the sign they stand for."""
    qualifiers: dict[str, tuple[float, float]]
    counted: dict[str, str]
    """What a figure counts (the keys of English's table: dead, injured, ...) -> a regex of the words saying so."""
    persons: tuple[str, ...]
    """Nouns that count people ("personas", "Menschen"): a figure before one counts people, as "12 people"."""
    clause_end: str
    """Words that end a clause (English "but", "while")."""
    compound: tuple[str, str] | None = None
    """German one-word numbers ("zweiundzwanzig"): the joining word and a regex of the tens words."""


def _teens_tens(units: list[str], teens: list[str], tens: list[str]) -> dict[str, int]:
    words = {w: i + 1 for i, w in enumerate(units)}
    words |= {w: i + 10 for i, w in enumerate(teens)}
    words |= {w: 20 + 10 * i for i, w in enumerate(tens)}
    return words


_ES = _teens_tens(
    ["uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
    ["diez", "once", "doce", "trece", "catorce", "quince", "dieciséis", "diecisiete", "dieciocho", "diecinueve"],
    ["veinte", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa"],
) | {
    "veintiuno": 21, "veintiún": 21, "veintidós": 22, "veintitrés": 23, "veinticuatro": 24, "veinticinco": 25,
    "veintiséis": 26, "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "cien": 100, "ciento": 100,
    "doscientos": 200, "doscientas": 200, "trescientos": 300, "trescientas": 300, "cuatrocientos": 400,
    "quinientos": 500, "seiscientos": 600, "setecientos": 700, "ochocientos": 800, "novecientos": 900,
    "dieciseis": 16, "veintidos": 22, "veintitres": 23, "veintiseis": 26,
}  # fmt: skip
_FR = _teens_tens(
    ["un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"],
    ["dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf"],
    ["vingt", "trente", "quarante", "cinquante", "soixante"],
) | {"quatre-vingt": 80, "quatre-vingts": 80, "cent": 100, "cents": 100, "septante": 70, "huitante": 80,
     "nonante": 90}  # fmt: skip
_FR.pop("un")
_DE = _teens_tens(
    ["eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"],
    ["zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn"],
    ["zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig"],
) | {"hundert": 100, "einhundert": 100, "dreissig": 30}
_IT = _teens_tens(
    ["uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove"],
    ["dieci", "undici", "dodici", "tredici", "quattordici", "quindici", "sedici", "diciassette", "diciotto",
     "diciannove"],
    ["venti", "trenta", "quaranta", "cinquanta", "sessanta", "settanta", "ottanta", "novanta"],
) | {"cento": 100, "duecento": 200, "trecento": 300}  # fmt: skip
_PT = _teens_tens(
    ["um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove"],
    ["dez", "onze", "doze", "treze", "catorze", "quinze", "dezesseis", "dezessete", "dezoito", "dezenove"],
    ["vinte", "trinta", "quarenta", "cinquenta", "sessenta", "setenta", "oitenta", "noventa"],
) | {"duas": 2, "quatorze": 14, "dezasseis": 16, "dezassete": 17, "dezanove": 19, "cem": 100, "cento": 100,
     "duzentos": 200, "trezentos": 300}  # fmt: skip
_PT.pop("um")

_CS = _teens_tens(
    ["jedna", "dva", "tři", "čtyři", "pět", "šest", "sedm", "osm", "devět"],
    ["deset", "jedenáct", "dvanáct", "třináct", "čtrnáct", "patnáct", "šestnáct", "sedmnáct", "osmnáct",
     "devatenáct"],
    ["dvacet", "třicet", "čtyřicet", "padesát", "šedesát", "sedmdesát", "osmdesát", "devadesát"],
) | {"dvě": 2, "sto": 100}  # fmt: skip
_CS.pop("jedna")
_EL = _teens_tens(
    ["ένα", "δύο", "τρία", "τέσσερα", "πέντε", "έξι", "επτά", "οκτώ", "εννέα"],
    ["δέκα", "έντεκα", "δώδεκα", "δεκατρία", "δεκατέσσερα", "δεκαπέντε", "δεκαέξι", "δεκαεπτά", "δεκαοκτώ",
     "δεκαεννέα"],
    ["είκοσι", "τριάντα", "σαράντα", "πενήντα", "εξήντα", "εβδομήντα", "ογδόντα", "ενενήντα"],
) | {"τρεις": 3, "τέσσερις": 4, "εφτά": 7, "οχτώ": 8, "εννιά": 9, "εκατό": 100}  # fmt: skip
_EL.pop("ένα")

NUMBER_RULES: dict[str, NumberRules] = {
    "es": NumberRules(
        words=_ES, joiners=("y",), ones=("un", "una"),
        scales={"mil": 1e3, "millón": 1e6, "millones": 1e6, "mil millones": 1e9, "billón": 1e12, "billones": 1e12},
        percent=("por ciento", "%"),
        currencies={"dólares": "$", "dólar": "$", "euros": "€", "euro": "€", "libras": "£"},
        qualifiers={"al menos": (1.0, float("inf")), "por lo menos": (1.0, float("inf")),
                    "más de": (1.0001, float("inf")), "casi": (0.8, 1.0), "cerca de": (0.85, 1.15),
                    "unos": (0.85, 1.15), "unas": (0.85, 1.15), "alrededor de": (0.85, 1.15),
                    "aproximadamente": (0.85, 1.15), "hasta": (0.0, 1.0), "menos de": (0.0, 0.9999)},
        counted={"injured": r"herid\w*|lesionad\w*", "hospitalized": r"hospitalizad\w*",
                 "dead": r"muert\w*|fallecid\w*|falleci\w*|murieron|muri[óo]", "missing": r"desaparecid\w*",
                 "arrested": r"detenid\w*|arrestad\w*", "evacuated": r"evacuad\w*|desplazad\w*|damnificad\w*",
                 "cost": r"cost\w*|presupuesto\w*|valorad\w*"},
        persons=("personas", "persona"), clause_end=r"\bmientras\b|\bpero\b",
    ),
    "fr": NumberRules(
        words=_FR, joiners=("et",), ones=("un", "une"),
        scales={"mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9},
        percent=("pour cent", "%"),
        currencies={"dollars": "$", "dollar": "$", "euros": "€", "euro": "€", "livres": "£"},
        qualifiers={"au moins": (1.0, float("inf")), "plus de": (1.0001, float("inf")), "près de": (0.8, 1.0),
                    "presque": (0.8, 1.0), "environ": (0.85, 1.15), "quelque": (0.85, 1.15),
                    "quelques": (0.85, 1.15), "jusqu'à": (0.0, 1.0), "jusqu’à": (0.0, 1.0),
                    "moins de": (0.0, 0.9999)},
        counted={"injured": r"bless\w*", "hospitalized": r"hospitalis\w*",
                 "dead": r"morts?|mortes?|tu[ée]\w*|décéd\w*|décès|périr|péri", "missing": r"disparu\w*",
                 "arrested": r"arrêt[ée]\w*|interpell\w*", "evacuated": r"évacu\w*|déplac[ée]\w*|sans-abri",
                 "cost": r"coût\w*|budget\w*"},
        persons=("personnes", "personne"), clause_end=r"\btandis\b|\bmais\b",
    ),
    "de": NumberRules(
        words=_DE, joiners=(), ones=("ein", "eine", "einer"),
        scales={"tausend": 1e3, "million": 1e6, "millionen": 1e6, "mio.": 1e6, "milliarde": 1e9, "milliarden": 1e9,
                "mrd.": 1e9},
        percent=("prozent", "%"),
        currencies={"dollar": "$", "us-dollar": "$", "euro": "€", "pfund": "£"},
        qualifiers={"mindestens": (1.0, float("inf")), "mehr als": (1.0001, float("inf")),
                    "über": (1.0001, float("inf")), "fast": (0.8, 1.0), "knapp": (0.8, 1.0),
                    "beinahe": (0.8, 1.0), "etwa": (0.85, 1.15), "rund": (0.85, 1.15), "ungefähr": (0.85, 1.15),
                    "circa": (0.85, 1.15), "bis zu": (0.0, 1.0), "weniger als": (0.0, 0.9999)},
        counted={"injured": r"verletzt\w*|verwundet\w*", "hospitalized": r"krankenhaus\w*|klinik\w*",
                 "dead": r"tote[nr]?|tot|getötet\w*|gestorben|starben|todesopfer\w*|ums\s+leben",
                 "missing": r"vermisst\w*", "arrested": r"festgenommen\w*|verhaftet\w*|festnahme\w*",
                 "evacuated": r"evakuiert\w*|obdachlos\w*", "cost": r"kost\w*|budget\w*"},
        persons=("menschen", "personen", "leute"), clause_end=r"\bwährend\b|\baber\b|\bdoch\b",
        compound=("und", "zwanzig|dreißig|dreissig|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig"),
    ),
    "it": NumberRules(
        words=_IT, joiners=("e",), ones=("un", "una", "uno"),
        scales={"mila": 1e3, "mille": 1e3, "milione": 1e6, "milioni": 1e6, "miliardo": 1e9, "miliardi": 1e9},
        percent=("per cento", "%"),
        currencies={"dollari": "$", "euro": "€", "sterline": "£"},
        qualifiers={"almeno": (1.0, float("inf")), "più di": (1.0001, float("inf")), "quasi": (0.8, 1.0),
                    "circa": (0.85, 1.15), "fino a": (0.0, 1.0), "meno di": (0.0, 0.9999)},
        counted={"injured": r"ferit\w*", "hospitalized": r"ricoverat\w*", "dead": r"mort[iea]|uccis\w*|vittime",
                 "missing": r"dispers[io]", "arrested": r"arrestat\w*", "evacuated": r"evacuat\w*|sfollat\w*",
                 "cost": r"cost\w*"},
        persons=("persone",), clause_end=r"\bmentre\b|\bma\b",
    ),
    "pt": NumberRules(
        words=_PT, joiners=("e",), ones=("um", "uma"),
        scales={"mil": 1e3, "milhão": 1e6, "milhões": 1e6, "bilhão": 1e9, "bilhões": 1e9},
        percent=("por cento", "%"),
        currencies={"dólares": "$", "euros": "€", "libras": "£"},
        qualifiers={"pelo menos": (1.0, float("inf")), "mais de": (1.0001, float("inf")), "quase": (0.8, 1.0),
                    "cerca de": (0.85, 1.15), "até": (0.0, 1.0), "menos de": (0.0, 0.9999)},
        counted={"injured": r"ferid\w*", "hospitalized": r"hospitalizad\w*", "dead": r"mort[oa]s?|óbitos?",
                 "missing": r"desaparecid\w*", "arrested": r"pres[oa]s|detid\w*",
                 "evacuated": r"evacuad\w*|desalojad\w*|desabrigad\w*", "cost": r"cust\w*|orçamento\w*"},
        persons=("pessoas",), clause_end=r"\benquanto\b|\bmas\b",
    ),
    "cs": NumberRules(
        words=_CS, joiners=(), ones=("jeden", "jedna", "jedno"),
        scales={"tisíc": 1e3, "tisíce": 1e3, "milion": 1e6, "milionů": 1e6, "miliony": 1e6, "milionu": 1e6,
                "milión": 1e6, "miliónů": 1e6, "milióny": 1e6, "miliónu": 1e6, "miliarda": 1e9, "miliard": 1e9,
                "miliardy": 1e9},
        percent=("procent", "procenta", "procento", "%"),
        currencies={"dolarů": "$", "dolary": "$", "eur": "€", "liber": "£"},
        qualifiers={"nejméně": (1.0, float("inf")), "alespoň": (1.0, float("inf")), "minimálně": (1.0, float("inf")),
                    "více než": (1.0001, float("inf")), "přes": (1.0001, float("inf")), "téměř": (0.8, 1.0),
                    "skoro": (0.8, 1.0), "asi": (0.85, 1.15), "přibližně": (0.85, 1.15), "zhruba": (0.85, 1.15),
                    "kolem": (0.85, 1.15), "až": (0.0, 1.0), "méně než": (0.0, 0.9999)},
        counted={"injured": r"zraněn\w*|zranil\w*", "hospitalized": r"hospitalizov\w*",
                 "dead": r"mrtv\w*|zemřel\w*|zahynul\w*|obětí|zabit\w*|zabil\w*", "missing": r"pohřešov\w*",
                 "arrested": r"zatčen\w*|zadržen\w*", "evacuated": r"evakuov\w*", "cost": r"nákla\w*|rozpoč\w*"},
        persons=("lidí", "lidé", "osob", "osoby"), clause_end=r"\bale\b|\bzatímco\b",
    ),
    "el": NumberRules(
        words=_EL, joiners=("και",), ones=("ένα", "μία", "μια"),
        scales={"χιλιάδες": 1e3, "εκατομμύριο": 1e6, "εκατομμύρια": 1e6, "δισεκατομμύριο": 1e9,
                "δισεκατομμύρια": 1e9},
        percent=("τοις εκατό", "%"),
        currencies={"δολάρια": "$", "δολαρίων": "$", "ευρώ": "€", "λίρες": "£"},
        qualifiers={"τουλάχιστον": (1.0, float("inf")), "πάνω από": (1.0001, float("inf")),
                    "περισσότεροι από": (1.0001, float("inf")), "περισσότερα από": (1.0001, float("inf")),
                    "σχεδόν": (0.8, 1.0), "περίπου": (0.85, 1.15), "έως": (0.0, 1.0), "μέχρι": (0.0, 1.0),
                    "λιγότερο από": (0.0, 0.9999)},
        counted={"injured": r"τραυματ\w*", "hospitalized": r"νοσηλε\w*", "dead": r"νεκρ\w*|σκοτώθηκ\w*|πέθαν\w*",
                 "missing": r"αγνοούμεν\w*", "arrested": r"συνελήφθη\w*|συλλ[ήη]ψ\w*", "evacuated": r"εκκεν\w*",
                 "cost": r"κόστ\w*|προϋπολογισμ\w*"},
        persons=("άνθρωποι", "ανθρώπους", "ανθρώπων", "άτομα", "ατόμων"), clause_end=r"\bαλλά\b|\bενώ\b",
    ),
}  # fmt: skip
"""Number words per language, for the languages a rule list was written for (English: compare/quantities.py)."""

DIGITS_ONLY = "digits only"
"""The fallback's name: a language with no rule list has its digits read (either decimal mark) and no words."""


def number_rules(language: str | None) -> NumberRules | None:
    """The rule list for ``language`` (a tag such as ``es`` or ``pt-BR``); None for English, unknown languages and
    languages without one (their figures are read as digits only)."""
    return NUMBER_RULES.get((language or "").lower().split("-")[0])


def has_number_rules(language: str | None) -> bool:
    """Whether figures in ``language`` are read with number words: English (or unknown) and ``NUMBER_RULES``."""
    code = (language or "").lower().split("-")[0]
    return code in ("", "en") or code in NUMBER_RULES
