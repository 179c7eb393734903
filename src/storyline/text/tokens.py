"""Words of a text: the one tokenizer, stemmer and stop-word list that summaries and source comparison share.

Both stages ask the same questions of a sentence — which content words does it hold, do two sentences share them —
so they answer them with the tools of this module: ``tokens`` finds words and numbers (``word_runs``, the coarser
runs source comparison matches on), ``stop_words`` says which words carry no fact, and ``stem`` strips endings so
'arrests'/'arrested'/'arresting' meet.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

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

TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,.:]*\d|\d")
"""A word (letters, inner apostrophes and hyphens) or a number (digits with inner ',', '.' or ':')."""


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
def stop_words(filler: bool = True) -> frozenset[str]:
    """scikit-learn's English stop words plus ``REPORTING_WORDS``, and ``NEWS_FILLER`` with ``filler`` (imported on
    first use: sklearn is slow to load). Source comparison passes ``filler=False``: leaving the filler out of its
    sentence matching lowered its conflict F1 on the dev labels (bench/RESULTS.md, issue 18)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | REPORTING_WORDS | (NEWS_FILLER if filler else frozenset())


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
