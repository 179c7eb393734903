"""Full-text search over ``search_docs``: SQLite FTS5 or PostgreSQL tsvector, the same words in, ranked ids out."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Integer, Select, column, delete, select, text
from sqlalchemy.orm import Session

from .tables import SearchDocRow, insert_rows

__all__ = ["drop_search_docs", "fts5_query", "matching_ids", "put_search_docs", "query_terms", "ranked_ids"]

_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(q: str) -> list[str]:
    """The words of a user's query, at most 16: every one must match (AND); punctuation and operators are ignored."""
    return _WORD.findall(q.lower())[:16]


def fts5_query(terms: list[str], kind: str | None = None) -> str:
    """An FTS5 MATCH expression that treats every term as a literal word (no user-controlled FTS syntax)."""
    words = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
    return f'kind : "{kind}" AND body : ( {words} )' if kind else words


def put_search_docs(session: Session, kind: str, docs: dict[str, str]) -> None:
    """Replace the searchable text of ``docs`` ({ref_id: body}) of one ``kind`` ('story' or 'article')."""
    ids = list(docs)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        session.execute(delete(SearchDocRow).where(SearchDocRow.kind == kind, SearchDocRow.ref_id.in_(chunk)))
    if docs:
        session.execute(insert_rows(SearchDocRow),
                        [{"kind": kind, "ref_id": k, "body": v} for k, v in docs.items()])


def drop_search_docs(session: Session, kind: str, ref_ids: list[str]) -> None:
    """Remove ``ref_ids`` of one kind from the index (a story that no longer has articles)."""
    for i in range(0, len(ref_ids), 500):
        session.execute(
            delete(SearchDocRow).where(SearchDocRow.kind == kind, SearchDocRow.ref_id.in_(ref_ids[i : i + 500]))
        )


def matching_ids(session: Session, kind: str, q: str) -> Select[Any] | None:
    """A SELECT of the ``ref_id`` of every document of ``kind`` matching all words of ``q`` (None when q has none)."""
    terms = query_terms(q)
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        hits = (
            text("SELECT rowid FROM search_fts WHERE search_fts MATCH :fts")
            .bindparams(fts=fts5_query(terms, kind))
            .columns(column("rowid", Integer))
        )
        return select(SearchDocRow.ref_id).where(SearchDocRow.id.in_(hits))
    return select(SearchDocRow.ref_id).where(
        SearchDocRow.kind == kind,
        text("search_docs.tsv @@ plainto_tsquery('simple', :tsq)").bindparams(tsq=" ".join(terms)),
    )


def ranked_ids(session: Session, kind: str, q: str, limit: int, offset: int) -> tuple[list[str], int]:
    """The ``ref_id`` of documents matching ``q``, best first, one page of them, and how many match in all."""
    terms = query_terms(q)
    if not terms:
        return [], 0
    if session.get_bind().dialect.name == "sqlite":
        # rank and page inside the FTS index first, then fetch only that page's ids (a join would visit every hit)
        params: dict[str, object] = {"fts": fts5_query(terms, kind)}
        count = "SELECT count(*) FROM search_fts WHERE search_fts MATCH :fts"
        page = ("SELECT d.ref_id FROM (SELECT rowid AS hit, bm25(search_fts, 0.0, 1.0) AS score FROM search_fts "
                "WHERE search_fts MATCH :fts ORDER BY score, rowid LIMIT :limit OFFSET :offset) "
                "JOIN search_docs d ON d.id = hit ORDER BY score, hit")
    else:
        params = {"tsq": " ".join(terms), "kind": kind}
        where = "d.kind = :kind AND d.tsv @@ plainto_tsquery('simple', :tsq)"
        count = f"SELECT count(*) FROM search_docs d WHERE {where}"
        page = (f"SELECT d.ref_id FROM search_docs d WHERE {where} "
                "ORDER BY ts_rank(d.tsv, plainto_tsquery('simple', :tsq)) DESC, d.id LIMIT :limit OFFSET :offset")
    total = session.execute(text(count), params).scalar_one()
    rows = session.execute(text(page), {**params, "limit": limit, "offset": offset})
    return [r[0] for r in rows], int(total)
