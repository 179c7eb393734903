"""Offline language identification of article text (py3langid, whose model ships inside the wheel).

Every article gets an ISO 639-1 code in ``Article.language`` so that later stages never merge stories across
languages. Short or letter-less texts get ``None`` rather than a guess.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_SAMPLE_CHARS = 1200
MIN_LETTERS = 20
"""Texts with fewer letters than this get no language: too little evidence."""
MIN_CONFIDENCE = 0.5
"""Below this normalized probability the text gets no language from the detector alone."""


_loading = threading.Lock()


def _identifier() -> Any:
    """The detector, loaded once (~1-3 s): threads asking while it loads wait for that one load. Without the lock,
    every request thread of ``storyline serve`` that validated a POST before the first load ended loaded it again,
    all at once under one interpreter lock (bench/load.py: validation p50 40 s)."""
    with _loading:
        return _load_identifier()


@lru_cache(maxsize=1)
def _load_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def load_language_model() -> None:
    """Load the detector now (e.g. when a server that accepts articles starts), not in the first request."""
    _identifier()


def normalize_language(tag: str | None) -> str | None:
    """``'en-US'``, ``'EN_gb'`` or ``'en'`` -> ``'en'``; anything that is not a language tag -> ``None``."""
    if not tag:
        return None
    primary = re.split(r"[-_\s]", tag.strip(), maxsplit=1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def detect_language(text: str, hint: str | None = None) -> str | None:
    """The language of ``text`` as an ISO 639-1 code, or ``None`` when the text is too short to tell.

    ``hint`` (a page's ``<html lang>`` or a feed's language) decides only when the detector is unsure, since
    templates often declare a language their articles are not written in. Unsure and no hint: ``None`` (a short
    English headline the detector reads as Central Bikol at 0.17 must not be a second language: it would keep the
    article out of English stories, or make the clustering encode the whole input with a cross-lingual model).
    """
    sample = text[:_SAMPLE_CHARS]
    hint = normalize_language(hint)
    if len(_LETTERS.findall(sample)) < MIN_LETTERS:
        return hint
    language, confidence = _identifier().classify(sample)
    if confidence >= MIN_CONFIDENCE:
        return str(language)
    return hint


__all__ = ["detect_language", "load_language_model", "normalize_language"]
