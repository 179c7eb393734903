"""Near-duplicates by MinHash LSH over word shingles, confirmed by the exact Jaccard similarity.

Exact copies (same normalized text) are found by hashing first; LSH proposes candidate pairs among the rest and
each candidate is verified on the real shingle sets, so the threshold means what it says.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from ..config import DedupOptions
from ..models import Article

_WORD = re.compile(r"\w+")


def shingles(text: str, size: int) -> set[bytes]:
    """Lower-cased word ``size``-grams of ``text`` (the whole text when shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def _canonical_order(article: Article) -> tuple[float, int, str]:
    published = article.published.timestamp() if article.published else float("inf")
    return (published, -len(article.text), article.id)


@dataclass(frozen=True, slots=True)
class DedupKey:
    """What linking needs of one article, computed on any worker: a few KB instead of the article.

    ``shingles`` are the sorted 64-bit hashes of the word shingles (for the exact Jaccard check) and
    ``signature`` the MinHash of the same shingles (for LSH candidates); both are empty for an empty text.
    """

    article_id: str
    order: tuple[float, int, str]
    digest: str
    signature: np.ndarray
    shingles: np.ndarray


def dedup_key(article: Article, options: DedupOptions | None = None) -> DedupKey:
    """The article's exact-copy digest, MinHash signature and shingle hashes (per article, parallel-safe)."""
    options = options or DedupOptions()
    normalized = " ".join(_WORD.findall(article.text.lower()))
    digest = hashlib.blake2b(normalized.encode(), digest_size=16).hexdigest()
    grams = shingles(article.text, options.shingle)
    wide = sorted({int.from_bytes(hashlib.sha1(g).digest()[:8], "little") for g in grams})
    hashes = np.array(wide, dtype=np.uint64)
    signature = np.zeros(0, dtype=np.uint64)
    if wide:
        # The low 32 bits of the SHA-1 prefix are datasketch's own sha1_hash32, so the signature is the same.
        minhash = MinHash(num_perm=options.num_perm, seed=1, hashfunc=int)
        minhash.update_batch([h & 0xFFFFFFFF for h in wide])
        signature = minhash.hashvalues
    return DedupKey(article.id, _canonical_order(article), digest, signature, hashes)


def link_duplicates(keys: Sequence[DedupKey], options: DedupOptions | None = None) -> dict[str, str]:
    """Map each duplicate article id to its original's (earliest published, then longest, then id).

    The global step: exact copies by digest, then LSH candidates verified by the exact Jaccard of the shingles.
    """
    options = options or DedupOptions()
    duplicate_of: dict[str, str] = {}
    by_digest: dict[str, str] = {}
    lsh = MinHashLSH(threshold=max(0.05, options.threshold - 0.15), num_perm=options.num_perm)
    kept: dict[str, np.ndarray] = {}
    for key in sorted(keys, key=lambda k: k.order):
        if key.digest in by_digest:
            first = by_digest[key.digest]
            duplicate_of[key.article_id] = duplicate_of.get(first, first)  # always point at an original
            continue
        by_digest[key.digest] = key.article_id
        if not len(key.shingles):
            continue
        signature = LeanMinHash(seed=1, hashvalues=key.signature, scheme="affine32")
        best, best_score = None, options.threshold
        for candidate in lsh.query(signature):
            other = kept[candidate]
            common = len(np.intersect1d(key.shingles, other, assume_unique=True))
            score = common / (len(key.shingles) + len(other) - common)
            if score >= best_score:
                best, best_score = candidate, score
        if best is not None:
            duplicate_of[key.article_id] = duplicate_of.get(best, best)
            continue
        kept[key.article_id] = key.shingles
        lsh.insert(key.article_id, signature)
    return duplicate_of


def find_duplicates(articles: Sequence[Article], options: DedupOptions | None = None) -> dict[str, str]:
    """Map each duplicate article id to the id of its original (earliest published, then longest, then id)."""
    options = options or DedupOptions()
    return link_duplicates([dedup_key(article, options) for article in articles], options)


__all__ = ["DedupKey", "dedup_key", "find_duplicates", "link_duplicates", "shingles"]
