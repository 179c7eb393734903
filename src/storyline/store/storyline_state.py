"""The store's side of the storyline state's rows (``cluster/storyline_rows.py`` decides what they hold; these
queries keep them and read back only what a batch asks for). Tables ``storyline_profiles``, ``storyline_names``,
``storyline_terms``, ``storyline_lines``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from .tables import StorylineLineRow, StorylineNameRow, StorylineProfileRow, StorylineTermRow, insert_rows

if TYPE_CHECKING:  # the cluster package imports NumPy and scikit-learn; the web app reading the store does not
    from ..cluster.storyline_rows import StorylineDelta

CHUNK = 500

_P, _N, _T, _L = StorylineProfileRow, StorylineNameRow, StorylineTermRow, StorylineLineRow


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def profiles(s: Session, stories: Sequence[str], lines: Sequence[str],
             every: bool = False) -> list[tuple[str, str, bool, str]]:
    stmt = select(_P.story_id, _P.line, _P.retired, _P.data)
    if every:
        return [(r[0], r[1], bool(r[2]), r[3]) for r in s.execute(stmt.order_by(_P.story_id))]
    found: dict[str, tuple[str, str, bool, str]] = {}
    for chunk in _chunks(list(stories)):
        found.update((r[0], (r[0], r[1], bool(r[2]), r[3])) for r in s.execute(stmt.where(_P.story_id.in_(chunk))))
    for chunk in _chunks(list(lines)):
        found.update((r[0], (r[0], r[1], bool(r[2]), r[3])) for r in s.execute(stmt.where(_P.line.in_(chunk))))
    return list(found.values())


def postings(s: Session, names: Sequence[str]) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for chunk in _chunks(list(names)):
        found += [(n, sid, line) for n, sid, line in s.execute(
            select(_N.name, _N.story_id, _P.line).join(_P, _N.story_id == _P.story_id).where(_N.name.in_(chunk)))]
    return sorted(found)


def terms(s: Session, wanted: Sequence[str]) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for chunk in _chunks(list(wanted), 2000):
        found += [(t, d) for t, d in s.execute(select(_T.term, _T.df).where(_T.term.in_(chunk)))]
    return found


def lines(s: Session, ids: Sequence[str], newest: int, ended_before: float | None) -> list[tuple[Any, ...]]:
    """Storyline rows by id, the ``newest`` working ones by ``last`` (newest first, ahead of the others), and the
    working ones all dated and ended before ``ended_before``."""
    columns = select(_L.id, _L.retired, _L.last, _L.last_day, _L.undated, _L.size)
    found: dict[str, tuple[Any, ...]] = {}
    if newest:
        stmt = columns.where(and_(_L.retired.is_(False), _L.last.is_not(None))).order_by(_L.last.desc()).limit(newest)
        found.update((r[0], _row(r)) for r in s.execute(stmt))
    for chunk in _chunks(list(ids)):
        found.update((r[0], _row(r)) for r in s.execute(columns.where(_L.id.in_(chunk))))
    if ended_before is not None:
        stmt = columns.where(and_(_L.retired.is_(False), _L.undated.is_(False), _L.last_day < ended_before))
        found.update((r[0], _row(r)) for r in s.execute(stmt))
    return list(found.values())


def _row(r: Any) -> tuple[Any, ...]:
    return (r[0], bool(r[1]), r[2], r[3], bool(r[4]), r[5])


def put(s: Session, delta: StorylineDelta) -> None:
    """Write the rows of ``delta``: upserted by key (deleted, then inserted), deleted, or (``replace``) all anew."""
    if delta.replace:
        for table in (_P, _N, _T, _L):
            s.execute(delete(table))
    for chunk in _chunks(list(dict.fromkeys([*delta.renamed]))):
        s.execute(delete(_N).where(_N.story_id.in_(chunk)))
    if delta.names:
        s.execute(insert_rows(_N), [{"name": n, "story_id": sid} for n, sid in dict.fromkeys(delta.names)])
    gone = list(dict.fromkeys([*delta.drop_profiles, *(r.story_id for r in delta.profiles)]))
    for chunk in _chunks(gone):
        s.execute(delete(_P).where(_P.story_id.in_(chunk)))
    if delta.profiles:
        s.execute(insert_rows(_P), [{"story_id": r.story_id, "line": r.line, "retired": r.retired, "data": r.data}
                               for r in delta.profiles])
    for chunk in _chunks([t for t, _ in delta.terms], 2000):
        s.execute(delete(_T).where(_T.term.in_(chunk)))
    kept = [{"term": t, "df": d} for t, d in delta.terms if d > 0]
    if kept:
        s.execute(insert_rows(_T), kept)
    for chunk in _chunks(list(dict.fromkeys([*delta.drop_lines, *(r.id for r in delta.lines)]))):
        s.execute(delete(_L).where(_L.id.in_(chunk)))
    if delta.lines:
        s.execute(insert_rows(_L), [{"id": r.id, "retired": r.retired, "last": r.last, "last_day": r.last_day,
                                "undated": r.undated, "size": r.size} for r in delta.lines])


__all__ = ["lines", "postings", "profiles", "put", "terms"]
