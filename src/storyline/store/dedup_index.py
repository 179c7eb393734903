"""The store's side of cross-run near-duplicate detection: signatures and LSH band keys of stored articles.

``dedup/stored.py`` decides; these queries only keep and look up its keys (tables ``dedup_keys``, ``dedup_bands``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from ..models import Article
from .codec import article_from_row
from .tables import ArticleRow, DedupBandRow, DedupKeyRow

if TYPE_CHECKING:  # the dedup package imports datasketch: only loaded when a digest runs
    from ..dedup.stored import IndexedKey, StoredSketch

CHUNK = 500


def _chunks(items: Sequence[object], size: int = CHUNK) -> list[Sequence[object]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def stored_duplicate_links(s: Session, article_ids: Sequence[str]) -> dict[str, str | None]:
    """The stored articles among ``article_ids`` with the original each points at (None for an original)."""
    found: dict[str, str | None] = {}
    for chunk in _chunks(list(article_ids)):
        stmt = select(ArticleRow.id, ArticleRow.duplicate_of).where(ArticleRow.id.in_(chunk))
        found.update((row[0], row[1]) for row in s.execute(stmt))
    return found


def unindexed_articles(s: Session, scheme: str, limit: int) -> list[Article]:
    """Up to ``limit`` stored articles without keys made under ``scheme`` (smallest ids first)."""
    stmt = (select(ArticleRow).outerjoin(DedupKeyRow, DedupKeyRow.article_id == ArticleRow.id)
            .where(or_(DedupKeyRow.article_id.is_(None), DedupKeyRow.scheme != scheme))
            .order_by(ArticleRow.id).limit(limit))
    return [article_from_row(row) for row in s.scalars(stmt)]


def put_dedup_keys(s: Session, scheme: str, keys: Sequence[IndexedKey]) -> None:
    """Replace the keys of these articles (idempotent: the same keys twice leave the same rows)."""
    by_id = {key.article_id: key for key in keys}
    for chunk in _chunks(list(by_id)):
        s.execute(delete(DedupBandRow).where(DedupBandRow.article_id.in_(chunk)))
        s.execute(delete(DedupKeyRow).where(DedupKeyRow.article_id.in_(chunk)))
    if not by_id:
        return
    s.execute(insert(DedupKeyRow), [{"article_id": k.article_id, "scheme": scheme, "shingles": k.shingles,
                                     "signature": k.signature} for k in by_id.values()])
    bands = [{"band": band, "article_id": k.article_id} for k in by_id.values() for band in dict.fromkeys(k.bands)]
    if bands:
        s.execute(insert(DedupBandRow), bands)


def dedup_candidates(s: Session, scheme: str, bands: Sequence[int]) -> dict[int, list[StoredSketch]]:
    """Stored articles that belong to a story and share one of ``bands``, by band."""
    from ..dedup.stored import StoredSketch

    found: dict[int, list[StoredSketch]] = {}
    for chunk in _chunks(list(dict.fromkeys(bands))):
        stmt = (select(DedupBandRow.band, DedupKeyRow.article_id, DedupKeyRow.shingles, DedupKeyRow.signature,
                       ArticleRow.duplicate_of)
                .join(DedupKeyRow, DedupKeyRow.article_id == DedupBandRow.article_id)
                .join(ArticleRow, ArticleRow.id == DedupBandRow.article_id)
                .where(DedupBandRow.band.in_(chunk), DedupKeyRow.scheme == scheme, ArticleRow.story_id.is_not(None)))
        for band, aid, shingles, signature, original in s.execute(stmt):
            found.setdefault(band, []).append(StoredSketch(aid, shingles, bytes(signature), original))
    return found
