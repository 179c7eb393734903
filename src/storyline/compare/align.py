"""Align what different articles of a story say: sentence units and a paraphrase score between any two.

The score mixes sentence-embedding cosine (paraphrase) with the overlap of content-word stems, numbers and names
(lexical evidence that embeddings blur at sentence level). Units are whole sentences: splitting "held secret
meetings ..., but later decided not to act" into clauses left each half too short to match its paraphrase.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from ..config import CompareOptions
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


@lru_cache(maxsize=1 << 16)
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


def lexical_similarity(units: Sequence[Unit], stems: Sequence[frozenset[str]] | None = None) -> np.ndarray:
    """Dice coefficient of content stems between every pair of units of different articles (one sparse product)."""
    from scipy.sparse import csr_matrix

    stems = stems if stems is not None else [content_stems(u.text) for u in units]
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, unit_stems in enumerate(stems):
        for s in unit_stems:
            rows.append(i)
            cols.append(vocabulary.setdefault(s, len(vocabulary)))
    n = len(units)
    if not vocabulary:
        return np.zeros((n, n), dtype=np.float32)
    matrix = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, len(vocabulary)))
    shared = (matrix @ matrix.T).toarray()
    sizes = np.array([len(s) for s in stems], dtype=np.float32)
    total = sizes[:, None] + sizes[None, :]
    sims = np.divide(2 * shared, total, out=np.zeros((n, n), dtype=np.float32), where=total > 0)
    articles = np.array([u.article_id for u in units])
    sims[articles[:, None] == articles[None, :]] = 0.0
    return sims.astype(np.float32)


def alignment_embedder(n_units: int, options: CompareOptions) -> str:
    """The embedder for a story of ``n_units`` units: ``auto`` takes MiniLM up to ``options.minilm_units`` units
    (its vectors for the sentences the summary's citation check already encoded are reused) and static
    embeddings above, so the comparison costs no more than the summary on large stories."""
    if options.embedder != "auto":
        return options.embedder
    return "minilm" if n_units <= options.minilm_units else "static"


def unit_similarity(
    units: Sequence[Unit], options: CompareOptions, stems: Sequence[frozenset[str]] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Paraphrase score of every pair of units (``options.embedding_weight`` x embedding cosine + the rest x
    lexical overlap), and the cosine alone. Static cosines run higher than MiniLM's between related sentences, so
    they are lowered by ``options.static_shift`` to meet the same thresholds."""
    from ..embed import encode

    if not units:
        empty = np.zeros((0, 0), dtype=np.float32)
        return empty, empty
    embedder = alignment_embedder(len(units), options)
    vectors = encode(embedder, [u.text for u in units])
    shift = options.static_shift if embedder == "static" else 0.0
    cosine = np.clip(vectors @ vectors.T - shift, 0.0, 1.0)
    weight = options.embedding_weight
    return weight * cosine + (1.0 - weight) * lexical_similarity(units, stems), cosine
