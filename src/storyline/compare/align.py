"""Align what different articles of a story say: sentence units and a paraphrase score between any two.

The score mixes sentence-embedding cosine (paraphrase) with the overlap of content-word stems, numbers and names
(lexical evidence that embeddings blur at sentence level). Units are whole sentences: splitting "held secret
meetings ..., but later decided not to act" into clauses left each half too short to match its paraphrase.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from ..models import Article

_WORD = re.compile(r"[\w’'-]+")
_STOP = frozenset(ENGLISH_STOP_WORDS) | {"said", "says", "say", "told", "according", "reported", "report", "reports"}
MIN_UNIT_WORDS = 4


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence of one article that can state a fact: ``article.text[start:end] == text``."""

    article_id: str
    start: int
    end: int
    text: str
    sentence: int
    """Index of the sentence it comes from in its article."""


def split_units(article: Article) -> list[Unit]:
    """The units of an article: its sentences of ``MIN_UNIT_WORDS`` words or more (sentences must be split)."""
    return [
        Unit(article.id, s.start, s.end, s.text, s.index)
        for s in article.sentences
        if len(s.text.split()) >= MIN_UNIT_WORDS
    ]


def stem(word: str) -> str:
    """A crude stem (plural and verb endings off, at most five letters) so "economy" meets "economic"."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith(("ss", "us", "is")):
            word = word[: -len(suffix)]
            break
    return word[:5]


def content_stems(text: str) -> frozenset[str]:
    """The stems of a text's content words (stop words and speech verbs left out)."""
    return frozenset(stem(w) for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 1)


def lexical_similarity(units: Sequence[Unit]) -> np.ndarray:
    """Dice coefficient of content stems between every pair of units."""
    stems = [content_stems(u.text) for u in units]
    n = len(units)
    sims = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        for j in range(i + 1, n):
            if units[i].article_id == units[j].article_id:
                continue
            total = len(stems[i]) + len(stems[j])
            if total:
                sims[i, j] = sims[j, i] = 2 * len(stems[i] & stems[j]) / total
    return sims


def unit_similarity(
    units: Sequence[Unit], embedder_name: str = "minilm", weight: float = 0.6
) -> tuple[np.ndarray, np.ndarray]:
    """Paraphrase score of every pair of units (``weight`` x embedding cosine + the rest x lexical overlap),
    and the cosine alone."""
    from ..embed import get_embedder

    if not units:
        empty = np.zeros((0, 0), dtype=np.float32)
        return empty, empty
    vectors = get_embedder(embedder_name).encode([u.text for u in units])
    cosine = np.clip(vectors @ vectors.T, 0.0, 1.0)
    return weight * cosine + (1.0 - weight) * lexical_similarity(units), cosine
