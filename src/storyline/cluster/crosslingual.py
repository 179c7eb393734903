"""Stories across languages: pairs of articles in two different languages are compared by a multilingual model.

TF-IDF cannot compare an Arabic and a Czech report (no shared words), so without a cross-lingual model the rules
keep languages apart (``constraints.py``). With one (``cluster.cross_lingual``, the ``storyline[multilingual]``
extra), and only when the input holds more than one known language, each article's neighbours come from a mixed
similarity: TF-IDF for pairs of one language (today's measured model, so English clustering is unchanged) and the
calibrated embedding cosine for pairs of two languages. Shared-neighbour similarity and average link then run as
for one language. The calibration maps the model's cosine onto the TF-IDF scale (``CALIBRATION``), measured in
bench/multilingual.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..config import ClusterOptions
from ..embed import encode
from ..models import Article
from .constraints import DAY, GroupFacts
from .features import sketch, titled_text
from .neighbors import BLOCK, Neighbors, apply_rules, top_k

EMBED_CHARS = 1000
"""Characters of an article (title and lead) the model reads: the lead says what happened, and the model's cost
grows with length (e5 reads at most 512 tokens anyway)."""

CALIBRATION: dict[str, tuple[float, float]] = {"e5": (0.74, 0.82), "use": (0.35, 0.75)}
"""Per model, (cosine mapped to 0, cosine mapped to ``TFIDF_EQUIVALENT``): a linear map onto the TF-IDF cosine
scale, clipped at 0 and 1 (bench/multilingual.py prints the distributions it was read from)."""

TFIDF_EQUIVALENT = 0.4
"""The TF-IDF cosine of a typical same-event pair (ECB+ dev median 0.35, upper quartile 0.44)."""


@dataclass(frozen=True, slots=True)
class Embedded:
    """Unit vectors of some articles (one row each) and the cross-lingual model that made them."""

    vectors: np.ndarray
    model: str


def languages_of(articles: Sequence[Article]) -> np.ndarray:
    """Each article's primary language tag (``''`` when unknown)."""
    return np.array(
        [a.language.lower().split("-")[0] if a.language else "" for a in articles], dtype=object
    )


def is_multilingual(languages: np.ndarray) -> bool:
    """True when at least two different languages are known."""
    return len({lang for lang in languages if lang}) > 1


Encoder = Callable[[str, list[str]], np.ndarray]
"""``embed.encode``'s shape: (model name, texts) -> unit vectors, one row per text."""


def article_embeddings(articles: Sequence[Article], model: str, needed: np.ndarray | None = None,
                       encoder: Encoder = encode) -> np.ndarray:
    """Unit vectors of each article's title and lead from the named cross-lingual embedder; with ``needed`` (a
    boolean mask, see ``needs_embedding``) only those rows are encoded and the others stay zero. ``encoder`` runs
    the model (``embed.encode`` in this process, or the pipeline's map of it over a pool's workers)."""
    if needed is None:
        return encoder(model, [titled_text(a)[:EMBED_CHARS] for a in articles])
    rows = np.flatnonzero(needed)
    encoded = encoder(model, [titled_text(articles[int(i)])[:EMBED_CHARS] for i in rows])
    vectors = np.zeros((len(articles), encoded.shape[1]), dtype=encoded.dtype)
    vectors[rows] = encoded
    return vectors


def needs_embedding(languages: np.ndarray, facts: Sequence[GroupFacts], max_days: float) -> np.ndarray:
    """Which articles can meet an article of another known language under the date rule: only those need the
    model's vector (~0.3 CPU s each). An article more than ``max_days`` from every article of another language
    never has one among its neighbours, so its neighbours, and the stories, are scored by TF-IDF alone: one
    Spanish article in a week of English news encodes that week, not the whole input."""
    n = len(languages)
    needed = np.zeros(n, dtype=bool)
    stamps = np.array([f.first for f in facts], dtype=np.float64)
    known = languages != ""
    for language in {lang for lang in languages if lang}:
        mine = known & (languages == language)
        other = known & (languages != language)
        if not other.any():
            continue
        other_stamps = stamps[other]
        if max_days <= 0 or np.isnan(other_stamps).any():
            needed |= mine  # no date rule, or an undated article of another language: it may meet any of these
            continue
        dated = np.sort(other_stamps)
        for i in np.flatnonzero(mine):
            if np.isnan(stamps[i]):
                needed[i] = True
                continue
            at = np.searchsorted(dated, stamps[i])
            near = [dated[j] for j in (at - 1, at) if 0 <= j < len(dated)]
            needed[i] = any(abs(stamps[i] - t) <= max_days * DAY for t in near)
    return needed


def calibrate(cosines: np.ndarray, model: str) -> np.ndarray:
    """Model cosines on the TF-IDF scale (see ``CALIBRATION``)."""
    low, high = CALIBRATION[model]
    return np.clip((cosines - low) / (high - low) * TFIDF_EQUIVALENT, 0.0, 1.0).astype(np.float32)


def _cross(languages: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    a, b = languages[rows], languages[cols]
    return (a != "") & (b != "") & (a != b)


def mixed_scores(
    vectors: sp.csr_matrix,
    embeddings: np.ndarray,
    languages: np.ndarray,
    model: str,
    rows: np.ndarray,
    cols: np.ndarray,
) -> np.ndarray:
    """Similarity of the pairs ``(rows[i], cols[i])``: TF-IDF cosine within a language, calibrated model cosine
    across two."""
    out = np.asarray(vectors[rows].multiply(vectors[cols]).sum(axis=1), dtype=np.float32).ravel()
    cross = _cross(languages, rows, cols)
    if cross.any():
        cos = np.einsum("ij,ij->i", embeddings[rows[cross]], embeddings[cols[cross]])
        out[cross] = calibrate(cos, model)
    return out


def _exact(vectors: sp.csr_matrix, embeddings: np.ndarray, languages: np.ndarray, model: str, k: int) -> Neighbors:
    n = vectors.shape[0]
    transposed = vectors.T.tocsc()
    known = languages != ""
    indices = np.full((n, k), -1, dtype=np.int64)
    sims = np.zeros((n, k), dtype=np.float32)
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        scores = np.asarray((vectors[start:stop] @ transposed).todense(), dtype=np.float32)
        block_lang = languages[start:stop]
        cross = (block_lang[:, None] != languages[None, :]) & known[start:stop, None] & known[None, :]
        if cross.any():
            cos = embeddings[start:stop] @ embeddings.T
            scores[cross] = calibrate(cos[cross], model)
        scores[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        idx, val = top_k(scores, k)
        indices[start:stop, : idx.shape[1]] = idx
        sims[start:stop, : idx.shape[1]] = val
    indices[~np.isfinite(sims)] = -1
    sims[~np.isfinite(sims)] = 0.0
    return Neighbors(indices, sims)


def _approximate(
    vectors: sp.csr_matrix, embeddings: np.ndarray, languages: np.ndarray, model: str, k: int, options: ClusterOptions
) -> Neighbors:
    """Candidates from two HNSW indexes (TF-IDF sketch and model vectors), re-scored with the mixed similarity."""
    import hnswlib

    n = vectors.shape[0]
    width = min(n, max(4 * k, 32))
    found = []
    for dense in (sketch(vectors, options.sketch_dims), np.ascontiguousarray(embeddings, dtype=np.float32)):
        index = hnswlib.Index(space="ip", dim=dense.shape[1])
        index.init_index(max_elements=n, ef_construction=100, M=16, random_seed=1)
        index.add_items(dense, np.arange(n), num_threads=1)  # one thread: the same graph every run
        index.set_ef(max(width, 64))
        labels, _ = index.knn_query(dense, k=width)
        found.append(labels.astype(np.int64))
    candidates = np.sort(np.concatenate(found, axis=1), axis=1)
    repeated = np.zeros(candidates.shape, dtype=bool)
    repeated[:, 1:] = candidates[:, 1:] == candidates[:, :-1]
    candidates[repeated | (candidates == np.arange(n)[:, None])] = -1
    scores = np.full(candidates.shape, -np.inf, dtype=np.float32)
    valid = candidates >= 0
    rows = np.repeat(np.arange(n), candidates.shape[1]).reshape(candidates.shape)[valid]
    scores[valid] = mixed_scores(vectors, embeddings, languages, model, rows, candidates[valid])
    top, top_scores = top_k(scores, k)
    indices = np.take_along_axis(candidates, top, axis=1)
    indices[~np.isfinite(top_scores)] = -1
    top_scores[~np.isfinite(top_scores)] = 0.0
    return Neighbors(indices, top_scores.astype(np.float32))


def cross_lingual_neighbors(
    vectors: sp.csr_matrix,
    embeddings: np.ndarray,
    languages: np.ndarray,
    facts: Sequence[GroupFacts],
    options: ClusterOptions,
    model: str,
) -> Neighbors:
    """The ``options.neighbors`` most similar articles of each article under the mixed similarity, filtered by the
    date rule (``facts`` carry no language: languages may meet)."""
    n = vectors.shape[0]
    k = min(options.neighbors, n - 1)
    if k <= 0:
        return Neighbors(np.full((n, 0), -1, dtype=np.int64), np.zeros((n, 0), dtype=np.float32))
    if n <= options.exact_limit:
        found = _exact(vectors, embeddings, languages, model, k)
    else:
        found = _approximate(vectors, embeddings, languages, model, k, options)
    return apply_rules(found, facts, options)


__all__ = [
    "CALIBRATION",
    "Embedded",
    "Encoder",
    "article_embeddings",
    "calibrate",
    "cross_lingual_neighbors",
    "is_multilingual",
    "languages_of",
    "mixed_scores",
    "needs_embedding",
]
