"""Near-duplicates across runs: this run's articles against the articles an earlier run stored.

Each stored article keeps its MinHash signature and its LSH band keys in the store (tables ``dedup_keys`` and
``dedup_bands``). A new article's band keys find the stored articles that share a band (the same candidates the
in-run LSH index would propose); the signature estimate filters them and the exact check runs on the stored
texts, with the same rules as within a run. A stored article stays what it was (an original, or a duplicate of
its original): an earlier run has already published it, so the new article is the duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..config import DedupOptions
from ..models import Article
from .minhash import DedupKey, _plausible, copy_score, dedup_key, lsh_shape

SCHEME_VERSION = 1
"""Bumped when the band key function changes: keys of an older version are rebuilt."""
BACKFILL_BATCH = 1000
_BAND_SEED = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xBF58476D1CE4E5B9)


@dataclass(frozen=True, slots=True)
class IndexedKey:
    """What the store keeps of one article for cross-run dedup: shingle count, signature and band keys."""

    article_id: str
    shingles: int
    signature: bytes
    bands: list[int]


@dataclass(frozen=True, slots=True)
class StoredSketch:
    """A stored candidate: its signature for the cheap filter, and the original it points at (or None)."""

    article_id: str
    shingles: int
    signature: bytes
    duplicate_of: str | None


class DuplicateIndex(Protocol):
    """What cross-run dedup needs of a store (``storyline.store.Store`` implements it)."""

    def articles(self, article_ids: Sequence[str]) -> list[Article]: ...

    def stored_duplicate_links(self, article_ids: Sequence[str]) -> dict[str, str | None]: ...

    def unindexed_articles(self, scheme: str, limit: int) -> list[Article]: ...

    def put_dedup_keys(self, scheme: str, keys: Sequence[IndexedKey]) -> None: ...

    def dedup_candidates(self, scheme: str, bands: Sequence[int]) -> dict[int, list[StoredSketch]]: ...


@dataclass(slots=True)
class StoredLinks:
    """The run's duplicate links after consulting the store, and how many point at an earlier run's article."""

    duplicate_of: dict[str, str]
    of_stored: int = 0
    backfilled: int = 0
    candidates_checked: int = 0
    new_ids: list[str] = field(default_factory=list)


def scheme(options: DedupOptions) -> str:
    """Names the settings band keys depend on: keys made under other settings are rebuilt, never mixed."""
    bands, rows = lsh_shape(options)
    return f"v{SCHEME_VERSION}:shingle{options.shingle}:perm{options.num_perm}:{bands}x{rows}"


def band_keys(signature: np.ndarray, options: DedupOptions) -> list[int]:
    """One signed 64-bit key per LSH band: the band's signature values and its number, mixed (NumPy, no loop)."""
    bands, rows = lsh_shape(options)
    values = np.asarray(signature, dtype=np.uint64)[: bands * rows].reshape(bands, rows)
    with np.errstate(over="ignore"):
        keys = np.arange(1, bands + 1, dtype=np.uint64) * _BAND_SEED
        for column in range(rows):
            keys = (keys ^ values[:, column]) * _MIX
            keys ^= keys >> np.uint64(29)
    return keys.view(np.int64).tolist()


def indexed_key(key: DedupKey, options: DedupOptions) -> IndexedKey:
    """The stored form of one article's dedup key (no bands for a text without words)."""
    if not len(key.shingles):
        return IndexedKey(key.article_id, 0, b"", [])
    return IndexedKey(key.article_id, len(key.shingles), key.signature.astype(np.uint64).tobytes(),
                      band_keys(key.signature, options))


def backfill(index: DuplicateIndex, options: DedupOptions) -> int:
    """Index the stored articles that have no keys under the current settings (older stores, changed settings)."""
    name, done = scheme(options), 0
    while batch := index.unindexed_articles(name, BACKFILL_BATCH):
        index.put_dedup_keys(name, [indexed_key(dedup_key(a, options), options) for a in batch])
        done += len(batch)
    return done


def link_to_stored(keys: Sequence[DedupKey], in_run: dict[str, str], index: DuplicateIndex,
                   options: DedupOptions) -> StoredLinks:
    """This run's links (``in_run``, from ``link_duplicates``) extended with near-duplicates of stored articles.

    An article already in the store keeps its stored link. A new in-run original that copies a stored article
    becomes that article's duplicate (pointing at its original), and its own in-run duplicates follow it. The
    run's keys are then written to the store so that later runs find them.
    """
    name = scheme(options)
    result = StoredLinks(duplicate_of=dict(in_run))
    result.backfilled = backfill(index, options)
    run_ids = {key.article_id for key in keys}
    stored = index.stored_duplicate_links(sorted(run_ids))
    for aid, original in stored.items():  # an earlier run decided these: keep its decision
        if original is None:
            result.duplicate_of.pop(aid, None)
        else:
            result.duplicate_of[aid] = original
    fresh = [k for k in sorted(keys, key=lambda k: k.order)
             if k.article_id not in stored and k.article_id not in in_run and len(k.shingles)]
    result.new_ids = [k.article_id for k in keys if k.article_id not in stored]
    indexed = {k.article_id: indexed_key(k, options) for k in keys}
    bands = {k.article_id: indexed[k.article_id].bands for k in fresh}
    found = index.dedup_candidates(name, sorted({b for keys_ in bands.values() for b in keys_}))
    plausible: dict[str, list[StoredSketch]] = {}
    for key in fresh:
        seen: dict[str, StoredSketch] = {}
        for band in bands[key.article_id]:
            for sketch in found.get(band, ()):
                if sketch.article_id not in run_ids or sketch.article_id in stored:  # in-run pairs: done
                    seen[sketch.article_id] = sketch
        plausible[key.article_id] = [
            s for _, s in sorted(seen.items())
            if _plausible(key.signature, np.frombuffer(s.signature, dtype=np.uint64), len(key.shingles),
                          s.shingles, options)
        ]
    texts = {a.id: a for a in index.articles(sorted({s.article_id for ss in plausible.values() for s in ss}))}
    stored_keys = {aid: dedup_key(article, options) for aid, article in texts.items()}
    for key in fresh:
        best, best_score = None, 0.0
        for sketch in plausible[key.article_id]:
            other = stored_keys.get(sketch.article_id)
            if other is None or not len(other.shingles):
                continue
            result.candidates_checked += 1
            score = copy_score(key.shingles, other.shingles, options)
            if score > best_score:
                best, best_score = sketch, score
        if best is not None:
            result.duplicate_of[key.article_id] = best.duplicate_of or best.article_id
    # in-run duplicates of an article that turned out to copy a stored one point at the stored original
    for aid, original in list(result.duplicate_of.items()):
        result.duplicate_of[aid] = result.duplicate_of.get(original, original)
    result.of_stored = sum(1 for aid, original in result.duplicate_of.items()
                           if aid in run_ids and original not in run_ids)
    index.put_dedup_keys(name, list(indexed.values()))
    return result


__all__ = [
    "DuplicateIndex",
    "IndexedKey",
    "StoredLinks",
    "StoredSketch",
    "backfill",
    "band_keys",
    "indexed_key",
    "link_to_stored",
    "lsh_shape",
    "scheme",
]
