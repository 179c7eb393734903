"""The store's side of the incremental clustering state: its rows (``cluster/state_store.py`` decides what they
hold; these queries keep them and read back only what a batch asks for). Tables ``cluster_articles``,
``cluster_stories``, ``cluster_duplicates``, ``cluster_terms``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .tables import ClusterArticleRow, ClusterDuplicateRow, ClusterStoryRow, ClusterTermRow, insert_rows

if TYPE_CHECKING:  # the cluster package imports NumPy and scikit-learn; the web app reading the store does not
    from ..cluster.state_store import StateDelta

CHUNK = 500

_A = ClusterArticleRow


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _article_columns(sketches: bool, terms: bool) -> list[Any]:
    return [_A.id, _A.story_id, _A.seq, _A.stamp, _A.language, _A.sketch if sketches else None,
            _A.terms if terms else None, _A.counts if terms else None]


def _select_articles(sketches: bool, terms: bool) -> Any:
    columns = [c for c in _article_columns(sketches, terms) if c is not None]
    return select(*columns)


def _full(row: Any, sketches: bool, terms: bool) -> tuple[Any, ...]:
    values = list(row)
    head, rest = values[:5], values[5:]
    sketch = bytes(rest.pop(0)) if sketches else None
    kept, counts = (bytes(rest[0]), bytes(rest[1])) if terms else (None, None)
    return (*head, sketch, kept, counts)


def state_articles(s: Session, ids: Sequence[str] | None, sketches: bool, terms: bool) -> list[tuple[Any, ...]]:
    stmt = _select_articles(sketches, terms)
    if ids is None:
        return [_full(r, sketches, terms) for r in s.execute(stmt.order_by(_A.seq))]
    found = []
    for chunk in _chunks(list(ids)):
        found += [_full(r, sketches, terms) for r in s.execute(stmt.where(_A.id.in_(chunk)))]
    return found


def state_window(s: Session, first: float | None, last: float | None, since_seq: int) -> list[tuple[Any, ...]]:
    """Two index range scans (date window, latest additions), joined here: each side uses its own index."""
    stmt = _select_articles(True, False)
    rows: dict[str, tuple[Any, ...]] = {}
    if first is not None and last is not None:
        rows.update((r[0], _full(r, True, False)) for r in s.execute(stmt.where(_A.stamp.between(first, last))))
    rows.update((r[0], _full(r, True, False)) for r in s.execute(stmt.where(_A.seq >= since_seq)))
    return sorted(rows.values(), key=lambda r: r[2])


def state_members(s: Session, story_ids: Sequence[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str, int]] = []
    for chunk in _chunks(list(story_ids)):
        found += [(a, b, c) for a, b, c in s.execute(select(_A.id, _A.story_id, _A.seq).where(_A.story_id.in_(chunk)))]
    return [(aid, sid) for aid, sid, _ in sorted(found, key=lambda r: r[2])]


def state_stories(s: Session, ids: Sequence[str] | None) -> list[tuple[Any, ...]]:
    stmt = select(ClusterStoryRow.id, ClusterStoryRow.created, ClusterStoryRow.merged_into,
                  ClusterStoryRow.merged_run)
    if ids is None:
        return [tuple(r) for r in s.execute(stmt)]
    found = []
    for chunk in _chunks(list(ids)):
        found += [tuple(r) for r in s.execute(stmt.where(ClusterStoryRow.id.in_(chunk)))]
    return found


def state_duplicates(s: Session, originals: Sequence[str] | None) -> list[tuple[str, str]]:
    stmt = select(ClusterDuplicateRow.article_id, ClusterDuplicateRow.original)
    if originals is None:
        return [(d, o) for d, o in s.execute(stmt)]
    found = []
    for chunk in _chunks(list(originals)):
        found += [(d, o) for d, o in s.execute(stmt.where(ClusterDuplicateRow.original.in_(chunk)))]
    return found


def state_df(s: Session, terms: Sequence[int] | None) -> list[tuple[int, int]]:
    stmt = select(ClusterTermRow.term, ClusterTermRow.df)
    if terms is None:
        return [(t, d) for t, d in s.execute(stmt)]
    found = []
    for chunk in _chunks(list(terms), 5000):
        found += [(t, d) for t, d in s.execute(stmt.where(ClusterTermRow.term.in_(chunk)))]
    return found


def put_state(s: Session, delta: StateDelta) -> None:
    """Write the rows of ``delta``: new articles inserted, moved ones updated, stories, duplicates and term
    frequencies replaced by key (``replace``: every old row deleted first)."""
    if delta.replace:
        for table in (ClusterArticleRow, ClusterStoryRow, ClusterDuplicateRow, ClusterTermRow):
            s.execute(delete(table))
    if delta.articles:
        for chunk in _chunks([r.id for r in delta.articles]):  # a re-save of the same articles replaces them
            s.execute(delete(_A).where(_A.id.in_(chunk)))
        s.execute(insert_rows(_A), [{"id": r.id, "story_id": r.story, "seq": r.seq, "stamp": r.stamp,
                                "language": r.language, "sketch": r.sketch, "terms": r.terms, "counts": r.counts}
                               for r in delta.articles])
    if delta.moved:
        s.execute(update(_A), [{"id": aid, "story_id": sid} for aid, sid in delta.moved])
    _replace(s, ClusterStoryRow, ClusterStoryRow.id,
             [{"id": r.id, "created": r.created, "merged_into": r.merged_into, "merged_run": r.merged_run}
              for r in delta.stories])
    _replace(s, ClusterDuplicateRow, ClusterDuplicateRow.article_id,
             [{"article_id": d, "original": o} for d, o in delta.duplicates])
    _replace(s, ClusterTermRow, ClusterTermRow.term, [{"term": t, "df": d} for t, d in delta.df], 5000)


def _replace(s: Session, table: Any, key: Any, rows: list[dict[str, Any]], size: int = CHUNK) -> None:
    if not rows:
        return
    name = key.key
    for chunk in _chunks([r[name] for r in rows], size):
        s.execute(delete(table).where(key.in_(chunk)))
    s.execute(insert_rows(table), rows)


__all__ = ["put_state", "state_articles", "state_df", "state_duplicates", "state_members", "state_stories",
           "state_window"]
