"""Near-duplicates by MinHash LSH over word shingles, confirmed by the exact Jaccard similarity.

Exact copies (same normalized text) are found by hashing first; LSH proposes candidate pairs among the rest and
each candidate is verified on the real shingle sets, so the thresholds mean what they say. A pair is a duplicate
when its Jaccard similarity reaches ``threshold`` or when nearly all of the shorter article's shingles are in the
longer one (``containment``): a syndicated wire story that outlets wrapped in different boilerplate.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from datasketch import MinHash, MinHashLSH

from ..config import DedupOptions
from ..models import Article

_WORD = re.compile(r"\w+")


def shingles(text: str, size: int) -> set[bytes]:
    """Lower-cased word ``size``-grams of ``text`` (the whole text when shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def copy_score(a: set[bytes], b: set[bytes], options: DedupOptions) -> float:
    """How much of a copy ``a`` and ``b`` are (0 = not a duplicate): Jaccard, or containment for wrapped copies."""
    shared = len(a & b)
    jaccard = shared / len(a | b)
    if jaccard >= options.threshold:
        return jaccard
    containment = shared / min(len(a), len(b))
    return containment if containment >= options.containment else 0.0


def _canonical_order(article: Article) -> tuple:
    published = article.published.timestamp() if article.published else float("inf")
    return (published, -len(article.text), article.id)


def find_duplicates(articles: Sequence[Article], options: DedupOptions | None = None) -> dict[str, str]:
    """Map each duplicate article id to the id of its original (earliest published, then longest, then id)."""
    options = options or DedupOptions()
    ordered = sorted(articles, key=_canonical_order)
    duplicate_of: dict[str, str] = {}
    by_hash: dict[str, str] = {}
    lsh = MinHashLSH(threshold=min(options.candidate, options.threshold), num_perm=options.num_perm)
    shingle_sets: dict[str, set[bytes]] = {}
    for article in ordered:
        normalized = " ".join(_WORD.findall(article.text.lower()))
        digest = hashlib.blake2b(normalized.encode(), digest_size=16).hexdigest()
        if digest in by_hash:
            duplicate_of[article.id] = by_hash[digest]
            continue
        by_hash[digest] = article.id
        grams = shingles(article.text, options.shingle)
        if not grams:
            continue
        signature = MinHash(num_perm=options.num_perm, seed=1)
        signature.update_batch(list(grams))
        best, best_score = None, 0.0
        for candidate in sorted(lsh.query(signature)):
            score = copy_score(grams, shingle_sets[candidate], options)
            if score > best_score:
                best, best_score = candidate, score
        if best is not None:
            duplicate_of[article.id] = duplicate_of.get(best, best)
            continue
        shingle_sets[article.id] = grams
        lsh.insert(article.id, signature)
    return duplicate_of


__all__ = ["copy_score", "find_duplicates", "shingles"]
