"""Words of a text: the one tokenizer, stemmer and stop-word list that summaries and source comparison share.

Both stages ask the same questions of a sentence — which content words does it hold, do two sentences share them —
so they answer them with the tools of this module: ``tokens`` finds words and numbers (``word_runs``, the coarser
runs source comparison matches on), ``stop_words`` says which words carry no fact, and ``stem`` strips endings so
'arrests'/'arrested'/'arresting' meet.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

# Reporting verbs carry no facts of their own (added to scikit-learn's English stop words).
REPORTING_WORDS = frozenset(["said", "says", "say", "told", "according", "reported", "report", "reports"])
# Nor does news filler; summaries leave it out too (``stop_words(filler=True)``).
NEWS_FILLER = frozenset(
    [
        "tell", "added", "adding",
        "just", "like", "also", "year", "years", "mr", "mrs", "ms", "dr", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday", "today", "yesterday", "week", "s", "t", "don", "didn", "doesn",
        "won", "isn", "wasn", "aren", "weren", "ve", "ll", "re", "d", "m",
    ]
)

_LETTER = r"[^\W\d_]"
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"  # Latin, Cyrillic, Hebrew
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"  # Arabic
    "\u0900-\u0903\u093a-\u093c\u093e-\u094f\u0951-\u0957\u0962\u0963"  # Devanagari
    "\u0981-\u0983\u09bc-\u09d7\u0a01-\u0a03\u0a3c-\u0a51\u0a81-\u0a83\u0abc-\u0acd\u0b01-\u0b03"
    "\u0b3c-\u0b57\u0b82\u0bbe-\u0bcd\u0c00-\u0c04\u0c3c-\u0c56\u0c81-\u0c83\u0cbc-\u0cd6\u0d00-\u0d03"
    "\u0d3b-\u0d57"  # other Indic scripts' vowel signs
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u200c\u200d"  # Thai; zero-width (non-)joiners
)
TOKEN = re.compile(rf"{_LETTER}(?:{_LETTER}|[{_MARKS}]|['’\-]+(?={_LETTER}))*|\d[\d,.:]*\d|\d")
"""A word (letters of any script with their combining marks — Hindi vowel signs, Hebrew and Arabic points — and
inner apostrophes and hyphens) or a number (digits with inner ',', '.' or ':')."""


def tokens(text: str) -> list[str]:
    """The words and numbers of ``text`` in order (see ``TOKEN``)."""
    return TOKEN.findall(text)


WORD_RUN = re.compile(r"[\w’'-]+")
"""A run of word characters of any script (digits and '_' included) with apostrophes and hyphens: '10,000' is two
runs, 'COVID-19' one. Source comparison matches sentences on these (``compare/align.py``): its content-word key
differs from the ``TOKEN`` one on 2,254 of 12,786 ECB+ dev sentences, and ``TOKEN`` with the summaries' stop words
lowered its conflict F1 on the dev labels (bench/RESULTS.md, issue 18), so both patterns stay, here side by side."""


def word_runs(text: str) -> list[str]:
    """The runs of ``text`` in order (see ``WORD_RUN``)."""
    return WORD_RUN.findall(text)


@cache
def stop_words(filler: bool = True, language: str | None = None) -> frozenset[str]:
    """scikit-learn's English stop words (``english_stop_words``) plus ``REPORTING_WORDS``, and ``NEWS_FILLER`` with
    ``filler``. Source comparison passes ``filler=False``: leaving the filler out of its
    sentence matching lowered its conflict F1 on the dev labels (bench/RESULTS.md, issue 18).

    A text in another ``language`` also drops that language's stop words (``language_stop_words``); the English
    ones stay, as news in any language quotes English names and phrases. English (or unknown) is as before."""
    english = english_stop_words() | REPORTING_WORDS | (NEWS_FILLER if filler else frozenset())
    return english | language_stop_words(language)


@cache
def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words (``sklearn.feature_extraction.text.ENGLISH_STOP_WORDS``), parsed from its
    plain word-list module without importing scikit-learn (~1 CPU s: most of a small digest's start-up); imported
    when that file is not where scikit-learn 1.x keeps it."""
    import importlib.util

    spec = importlib.util.find_spec("sklearn")
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "feature_extraction" / "_stop_words.py"
        if path.is_file():
            words = _module_strings(path, "ENGLISH_STOP_WORDS")
            if words:
                return frozenset(words)
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _module_strings(path: Path, name: str) -> set[str]:
    """The words of the string constants assigned to ``name`` in the Python file ``path`` (parsed, never run)."""
    import ast

    words: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            words.update(w for c in ast.walk(node.value)
                         if isinstance(c, ast.Constant) and isinstance(c.value, str) for w in c.value.split())
    return words


@cache
def language_stop_words(language: str | None) -> frozenset[str]:
    """The stop words spaCy ships for ``language`` (``spacy/lang/<xx>/stop_words.py``, a plain word list: its
    strings are parsed from the file, without importing spaCy or loading any model), lower-cased. Empty for English
    and unknown languages (English has its own list, see ``stop_words``), for a language spaCy has no list of, and
    when spaCy (the ``storyline[nlp]`` extra) is not installed: then only the English list applies, as before."""
    code = (language or "").lower().split("-")[0]
    if not code or code == "en" or not code.isalpha():
        return frozenset()
    import importlib.util

    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "lang" / code / "stop_words.py"
    if not path.is_file():
        return frozenset()
    return frozenset(w.lower() for w in _module_strings(path, "STOP_WORDS"))


@lru_cache(maxsize=1 << 16)
def stem(word: str, prefix: int | None = None) -> str:
    """A light suffix stripper (plural, -ed, -ing, -ly, final -e) so 'arrests'/'arrested'/'arresting' meet.

    With ``prefix`` the key is coarser, for matching sentences of different articles: one ending (-ing, -ed or -s,
    when four letters or more remain) comes off and the first ``prefix`` letters are kept, so 'economy' and
    'economic' meet ('econo'). Source comparison uses ``prefix=5``; giving it the full stripper instead lowered
    its conflict F1 on the dev labels (0.479 -> 0.459, bench/RESULTS.md, issue 18), so the two keys stay.
    """
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if prefix is not None:
        for suffix in ("ing", "ed", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 4 and not w.endswith(("ss", "us", "is")):
                w = w[: -len(suffix)]
                break
        return w[:prefix]
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif (w.endswith("ed") and len(w) > 4) or (w.endswith("ly") and len(w) > 5):
        w = w[:-2]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w
