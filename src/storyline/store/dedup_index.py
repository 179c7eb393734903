"""The store's side of cross-run near-duplicate detection: signatures and LSH band keys of stored articles.

``dedup/stored.py`` decides; these queries only keep and look up its keys (tables ``dedup_keys``, ``dedup_bands``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, String, any_, bindparam, delete, insert, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ..models import Article
from .codec import article_from_row
from .tables import ArticleRow, DedupBandRow, DedupKeyRow

if TYPE_CHECKING:  # the dedup package: only loaded when a digest runs
    from ..dedup.stored import IndexedKey, StoredSketch

CHUNK = 500
BAND_CHUNK = 5000
"""Band keys per lookup query (SQLite allows 32,766 bound parameters, PostgreSQL 65,535)."""


_PG_INSERT_KEYS = text(
    "INSERT INTO dedup_keys (article_id, scheme, shingles, signature) "
    "SELECT * FROM unnest(CAST(:ids AS varchar[]), CAST(:schemes AS varchar[]), CAST(:shingles AS integer[]), "
    "CAST(:signatures AS bytea[]))")
_PG_INSERT_BANDS = text(
    "INSERT INTO dedup_bands (band, article_id) "
    "SELECT * FROM unnest(CAST(:bands AS bigint[]), CAST(:ids AS varchar[]))")


def _chunks(items: Sequence[object], size: int = CHUNK) -> list[Sequence[object]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _among(s: Session, column: Any, values: Sequence[object], kind: Any) -> Any:
    """``column IN values``; on PostgreSQL ``column = ANY(:array)``, one parameter instead of one per value."""
    if s.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(kind)))
    return column.in_(values)


def stored_duplicate_links(s: Session, article_ids: Sequence[str]) -> dict[str, str | None]:
    """The grouped articles among ``article_ids`` with the original each points at (None for an original).

    Pending articles (stored, in no story yet: waiting for the worker) are left out: no run has decided them."""
    found: dict[str, str | None] = {}
    for chunk in _chunks(list(article_ids)):
        stmt = select(ArticleRow.id, ArticleRow.duplicate_of).where(_among(s, ArticleRow.id, chunk, String),
                                                                    ArticleRow.story_id.is_not(None))
        found.update((row[0], row[1]) for row in s.execute(stmt))
    return found


def unindexed_articles(s: Session, scheme: str, limit: int) -> list[Article]:
    """Up to ``limit`` stored articles without keys made under ``scheme`` (smallest ids first)."""
    stmt = (select(ArticleRow).outerjoin(DedupKeyRow, DedupKeyRow.article_id == ArticleRow.id)
            .where(or_(DedupKeyRow.article_id.is_(None), DedupKeyRow.scheme != scheme))
            .order_by(ArticleRow.id).limit(limit))
    return [article_from_row(row) for row in s.scalars(stmt)]


def put_dedup_keys(s: Session, scheme: str, keys: Sequence[IndexedKey]) -> None:
    """Keep the keys of these articles; rows already holding the same keys are left alone (re-runs write nothing)."""
    by_id = {key.article_id: key for key in keys}
    stored: dict[str, tuple[str, bytes]] = {}
    for chunk in _chunks(list(by_id)):
        stmt = select(DedupKeyRow.article_id, DedupKeyRow.scheme, DedupKeyRow.signature).where(
            _among(s, DedupKeyRow.article_id, chunk, String))
        stored.update((aid, (kind, bytes(signature))) for aid, kind, signature in s.execute(stmt))
    by_id = {aid: k for aid, k in by_id.items() if aid not in stored or stored[aid] != (scheme, k.signature)}
    replaced = [aid for aid in by_id if aid in stored]
    for chunk in _chunks(replaced):
        s.execute(delete(DedupBandRow).where(_among(s, DedupBandRow.article_id, chunk, String)))
        s.execute(delete(DedupKeyRow).where(_among(s, DedupKeyRow.article_id, chunk, String)))
    if not by_id:
        return
    keys_rows = [{"article_id": k.article_id, "scheme": scheme, "shingles": k.shingles, "signature": k.signature}
                 for k in by_id.values()]
    bands = [{"band": band, "article_id": k.article_id} for k in by_id.values() for band in dict.fromkeys(k.bands)]
    connection = s.connection()
    if connection.dialect.name == "postgresql":
        # one INSERT ... SELECT FROM unnest(arrays) per table: psycopg's executemany would send a statement per row
        # (~6,400 for 200 articles) and a multi-row VALUES costs more to compile than the insert itself
        connection.execute(_PG_INSERT_KEYS, {
            "ids": [r["article_id"] for r in keys_rows], "schemes": [scheme] * len(keys_rows),
            "shingles": [r["shingles"] for r in keys_rows], "signatures": [r["signature"] for r in keys_rows]})
        if bands:
            connection.execute(_PG_INSERT_BANDS, {"bands": [r["band"] for r in bands],
                                                  "ids": [r["article_id"] for r in bands]})
        return
    # SQLite: Core executemany (the C loop of sqlite3), not the ORM's bulk path
    connection.execute(insert(DedupKeyRow), keys_rows)
    if bands:
        connection.execute(insert(DedupBandRow), bands)


def dedup_candidates(s: Session, scheme: str, bands: Sequence[int]) -> dict[int, list[StoredSketch]]:
    """Stored articles that belong to a story and share one of ``bands``, by band."""
    from ..dedup.stored import StoredSketch

    found: dict[int, list[StoredSketch]] = {}
    for chunk in _chunks(list(dict.fromkeys(bands)), BAND_CHUNK):
        matches = _among(s, DedupBandRow.band, chunk, BigInteger)
        stmt = (select(DedupBandRow.band, DedupKeyRow.article_id, DedupKeyRow.shingles, DedupKeyRow.signature,
                       ArticleRow.duplicate_of)
                .join(DedupKeyRow, DedupKeyRow.article_id == DedupBandRow.article_id)
                .join(ArticleRow, ArticleRow.id == DedupBandRow.article_id)
                .where(matches, DedupKeyRow.scheme == scheme, ArticleRow.story_id.is_not(None)))
        for band, aid, shingles, signature, original in s.execute(stmt):
            found.setdefault(band, []).append(StoredSketch(aid, shingles, bytes(signature), original))
    return found
