"""Near-duplicates by MinHash LSH over word shingles, confirmed by the exact Jaccard similarity.

Exact copies (same normalized text) are found by hashing first; LSH (the bands and rows datasketch chooses, in a
plain dict of band values: the same candidates as datasketch's index at a third of its cost) proposes candidate
pairs among the rest and
each candidate is verified on the real shingle sets, so the thresholds mean what they say. A pair is a duplicate
when its Jaccard similarity reaches ``threshold`` or when nearly all of the shorter article's shingles are in the
longer one (``containment``): a syndicated wire story that outlets wrapped in different boilerplate.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..config import DedupOptions
from ..models import Article

_WORD = re.compile(r"\w+")
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_MAX_WORD = 40
_POWERS = np.array([pow(1_000_003, i, 2**64) for i in range(_MAX_WORD)], dtype=np.uint64)


def shingles(text: str, size: int) -> set[int]:
    """Hashes of the lower-cased word ``size``-grams of ``text`` (one hash of the whole text when shorter)."""
    return set(_shingle_hashes(_WORD.findall(text.lower()), size).tolist())


def _word_ids(words: list[str]) -> np.ndarray:
    """A 64-bit hash per word, computed in NumPy over the words' code points (no per-word Python call)."""
    codes = np.array(words).view(np.uint32).reshape(len(words), -1)[:, :_MAX_WORD].astype(np.uint64)
    with np.errstate(over="ignore"):
        ids = (codes * _POWERS[: codes.shape[1]]).sum(axis=1, dtype=np.uint64)
        ids ^= ids >> np.uint64(31)
        ids *= _MULTIPLIER
    return ids | np.uint64(1)


def _shingle_hashes(words: list[str], size: int) -> np.ndarray:
    """Distinct 64-bit hashes of the word ``size``-grams (a polynomial of word hashes, wrapping)."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    ids = _word_ids(words)
    span = min(size, len(ids))
    count = len(ids) - span + 1
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(span):
            hashes = hashes * _MULTIPLIER + ids[offset : offset + count]
    return np.unique(hashes)


def signature(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    """MinHash signature: for each of ``num_perm`` multiply-shift hash functions, the least value over ``hashes``."""
    a, b = _permutations(num_perm)
    with np.errstate(over="ignore"):
        values = (hashes[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)
    return values.min(axis=0)


@cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


def _shared(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sorted arrays of distinct values have in common (``len(np.intersect1d(a, b))`` without
    sorting their concatenation: a binary search of the shorter in the longer)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return 0
    at = np.searchsorted(b, a)
    at[at == len(b)] = 0
    return int(np.count_nonzero(b[at] == a))


def copy_score(a: np.ndarray, b: np.ndarray, options: DedupOptions) -> float:
    """How much of a copy two sorted shingle-hash arrays are (0 = not a duplicate): Jaccard, or containment."""
    shared = _shared(a, b)
    jaccard = shared / (len(a) + len(b) - shared)
    if jaccard >= options.threshold:
        return jaccard
    containment = shared / min(len(a), len(b))
    return containment if containment >= options.containment else 0.0


def _plausible(a: np.ndarray, b: np.ndarray, size_a: int, size_b: int, options: DedupOptions) -> bool:
    """Whether the signatures' Jaccard estimate leaves room for a duplicate (cheap filter before the exact check).

    A copy by containment ``c`` of sets of sizes ``s <= l`` has Jaccard at least ``c*s / ((1-c)*s + l)``; the
    estimate from 128 permutations has a standard error under 0.045, so 0.15 of slack keeps real copies.
    """
    small, large = min(size_a, size_b), max(size_a, size_b)
    c = options.containment
    needed = min(options.threshold, c * small / ((1 - c) * small + large))
    return bool(np.count_nonzero(a == b) / len(a) >= needed - 0.15)


def _canonical_order(article: Article) -> tuple[float, int, str]:
    published = article.published.timestamp() if article.published else float("inf")
    return (published, -len(article.text), article.id)


@dataclass(frozen=True, slots=True)
class DedupKey:
    """What linking needs of one article, computed on any worker: a few KB instead of the article.

    ``shingles`` are the sorted distinct 64-bit hashes of the word shingles (for the exact checks) and
    ``signature`` their MinHash (for LSH candidates); both are empty for a text without words.
    """

    article_id: str
    order: tuple[float, int, str]
    digest: str
    signature: np.ndarray
    shingles: np.ndarray


def dedup_key(article: Article, options: DedupOptions | None = None) -> DedupKey:
    """The article's exact-copy digest, MinHash signature and shingle hashes (per article, parallel-safe)."""
    options = options or DedupOptions()
    tokens = _WORD.findall(article.text.lower())
    digest = hashlib.blake2b(" ".join(tokens).encode(), digest_size=16).hexdigest()
    hashes = _shingle_hashes(tokens, options.shingle)
    sketch = signature(hashes, options.num_perm) if len(hashes) else np.zeros(0, dtype=np.uint64)
    return DedupKey(article.id, _canonical_order(article), digest, sketch, hashes)


def link_duplicates(keys: Sequence[DedupKey], options: DedupOptions | None = None) -> dict[str, str]:
    """Map each duplicate article id to its original's (earliest published, then longest, then id).

    The global step: exact copies by digest, then LSH candidates, filtered on the signature estimate and verified
    on the shingle hashes (Jaccard >= ``threshold`` or containment >= ``containment``).
    """
    options = options or DedupOptions()
    duplicate_of: dict[str, str] = {}
    by_digest: dict[str, str] = {}
    bands, rows = lsh_shape(options)
    buckets: list[dict[bytes, list[str]]] = [{} for _ in range(bands)]  # per band: its values -> kept articles
    kept: dict[str, DedupKey] = {}
    for key in sorted(keys, key=lambda k: k.order):
        if key.digest in by_digest:
            first = by_digest[key.digest]
            duplicate_of[key.article_id] = duplicate_of.get(first, first)  # always point at an original
            continue
        by_digest[key.digest] = key.article_id
        if not len(key.shingles):
            continue
        band_values = _band_values(key.signature, bands, rows)
        candidates = {other for bucket, band in zip(buckets, band_values, strict=True)
                      for other in bucket.get(band, ())}
        best, best_score = None, 0.0
        for candidate in sorted(candidates):
            other = kept[candidate]
            if not _plausible(key.signature, other.signature, len(key.shingles), len(other.shingles), options):
                continue
            score = copy_score(key.shingles, other.shingles, options)
            if score > best_score:
                best, best_score = candidate, score
        if best is not None:
            duplicate_of[key.article_id] = duplicate_of.get(best, best)
            continue
        kept[key.article_id] = key
        for bucket, band in zip(buckets, band_values, strict=True):
            bucket.setdefault(band, []).append(key.article_id)
    return duplicate_of


@cache
def lsh_shape(options: DedupOptions) -> tuple[int, int]:
    """``(bands, rows)`` of the LSH index: the split datasketch's MinHashLSH picks for ``dedup.candidate`` (or
    ``dedup.threshold`` when lower), the same in a run and across runs (``stored.py``)."""
    return optimal_bands(min(options.candidate, options.threshold), options.num_perm)


def optimal_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The ``(bands, rows)`` with ``bands x rows <= num_perm`` that minimize the mean of the false-positive area
    (the chance two signatures share a band, integrated over Jaccard 0..``threshold``) and the false-negative area
    (the chance they share none, over ``threshold``..1), the first in (bands, rows) order on a tie: datasketch's
    ``MinHashLSH`` choice (its ``_optimal_param`` with weights 0.5, 0.5; ``tests/test_dedup.py`` compares them).
    Both integrands are polynomials of degree ``bands x rows``, so Gauss-Legendre quadrature with ``num_perm // 2
    + 1`` nodes is exact; datasketch's ``scipy.integrate.quad`` costs ~0.5 CPU s of imports and loops at start-up."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)
    shapes = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    bands = np.array([b for b, _ in shapes], dtype=np.float64)[:, None]
    rows = np.array([r for _, r in shapes], dtype=np.float64)[:, None]

    def area(low: float, high: float, negative: bool) -> np.ndarray:
        s = (high - low) / 2 * nodes[None, :] + (high + low) / 2
        none_shared = (1.0 - s**rows) ** bands
        return (high - low) / 2 * ((none_shared if negative else 1.0 - none_shared) @ weights)

    error = 0.5 * area(0.0, threshold, False) + 0.5 * area(threshold, 1.0, True)
    return shapes[int(np.argmin(error))]


def _band_values(signature: np.ndarray, bands: int, rows: int) -> list[bytes]:
    """Each LSH band's ``rows`` signature values as bytes: two signatures share a band's bucket exactly when they
    agree on the whole band, as in datasketch's index."""
    values = np.ascontiguousarray(signature[: bands * rows], dtype=np.uint64)
    return values.view(f"V{8 * rows}").tolist()


def find_duplicates(articles: Sequence[Article], options: DedupOptions | None = None) -> dict[str, str]:
    """Map each duplicate article id to the id of its original (earliest published, then longest, then id)."""
    options = options or DedupOptions()
    return link_duplicates([dedup_key(article, options) for article in articles], options)


__all__ = ["DedupKey", "copy_score", "dedup_key", "find_duplicates", "link_duplicates", "shingles", "signature"]
