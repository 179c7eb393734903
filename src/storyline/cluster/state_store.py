"""Persistence of the incremental clustering state as rows, so a batch reads and writes only what it touches.

A store keeps one row per article (its story, publication time, language, dense sketch and top term counts), one
per story id ever used (the run that created it, where it was merged), one per duplicate and one per hashed term
(its document frequency), plus a small JSON blob (``cluster:meta``: counters). ``load_state(rows, options,
near=batch)`` loads a *partial* state: the stored articles of the batch's date window (its dates +- ``max_days``,
the span no link may cross) and the ``RECENT_ARTICLES`` added last (undated articles join through those), with
their sketches for the candidate search; the members of candidate stories, their terms and the frequencies of the
terms compared are fetched when the run needs them (``StateSource``). ``save_state`` writes the rows the run added
or changed, nothing else. So a batch's state I/O follows the batch and its date window, not the store
(bench/live.py counts the bytes).

A store that met two languages with a cross-lingual model on also keeps each article's vector (``incremental.py``)
in one blob per publication day (``cluster:embeddings:YYYY-MM-DD``, ``cluster:embeddings:undated``: ids and float16
vectors), read for the days of the loaded articles and rewritten for the days a run added vectors to.

Any object with the ``StateRows`` methods works: the store's ``Store``, or ``MemoryRows`` in memory. Nothing is
pickled: arrays are stored as raw little-endian bytes, the counters as JSON. A store written by an earlier version
(the state as three blobs, format 1) is read once in full and written back as rows by the next save.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple, Protocol

import numpy as np

from ..config import ClusterOptions
from ..errors import StoreError
from ..models import Article
from .constraints import DAY, GroupFacts
from .features import N_FEATURES
from .incremental import ClusterState, Merge, StoredArticle, StoryRecord, VectorIndex

FORMAT = 2
META_KEY = "cluster:meta"
V1_KEYS = ("cluster:state", "cluster:arrays", "cluster:ann")
"""The blobs of the format-1 state (the whole state, rewritten by every batch); dropped when converted."""
EMBEDDINGS_PREFIX = "cluster:embeddings:"
RECENT_ARTICLES = 1000
"""The stored articles added last are candidates whatever their date: undated articles (no date window holds them)
and feeds that arrive out of order join through them."""


class ArticleState(NamedTuple):
    """One article's row of the state (``sketch``, ``terms``, ``counts`` are None when not asked for)."""

    id: str
    story: str
    seq: int
    stamp: float | None
    language: str | None
    sketch: bytes | None
    terms: bytes | None
    counts: bytes | None


class StoryState(NamedTuple):
    id: str
    created: int
    merged_into: str | None
    merged_run: int | None


class BlobStore(Protocol):
    def get_blob(self, key: str) -> bytes | None: ...

    def put_blob(self, key: str, data: bytes) -> None: ...


@dataclass
class StateDelta:
    """What one save writes: rows added or changed (``replace``: every row, the old ones deleted first)."""

    replace: bool = False
    articles: list[ArticleState] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)
    """(article id, its story now) for stored articles that changed story."""
    stories: list[StoryState] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    df: list[tuple[int, int]] = field(default_factory=list)
    drop_blobs: tuple[str, ...] = ()


class StateRows(BlobStore, Protocol):
    """Where the state's rows live (``storyline.store.Store`` implements it; ``MemoryRows`` in memory)."""

    def state_articles(self, ids: Sequence[str] | None, *, sketches: bool,
                       terms: bool) -> Iterable[tuple]:
        """``ArticleState`` fields of these articles (all when None, in ``seq`` order)."""
        ...

    def state_window(self, first: float | None, last: float | None,
                     since_seq: int) -> Iterable[tuple]:
        """Articles (with sketches, without terms) with ``first <= stamp <= last`` or ``seq >= since_seq``."""
        ...

    def state_members(self, story_ids: Sequence[str]) -> Iterable[tuple[str, str]]:
        """(article id, story id) of these stories' members, in ``seq`` order."""
        ...

    def state_stories(self, ids: Sequence[str] | None) -> Iterable[tuple]:
        """``StoryState`` fields of these story ids (all when None)."""
        ...

    def state_duplicates(self, originals: Sequence[str] | None) -> Iterable[tuple[str, str]]:
        """(duplicate, original) for these originals (all when None)."""
        ...

    def state_df(self, terms: Sequence[int] | None) -> Iterable[tuple[int, int]]:
        """(term, document frequency) of these terms (all when None)."""
        ...

    def put_state(self, delta: StateDelta) -> None:
        """Write ``delta`` (with the stories, in ``save_digest``'s transaction, inside ``deferred_blobs``)."""
        ...


def _unpack(row: tuple, index_row: int = -1) -> tuple[StoredArticle, ArticleState]:
    art = ArticleState(*row)
    stamp = float("nan") if art.stamp is None else float(art.stamp)
    terms = None if art.terms is None else np.frombuffer(art.terms, dtype="<i4").astype(np.int32)
    counts = None if art.counts is None else np.frombuffer(art.counts, dtype="<f4").astype(np.float32)
    return StoredArticle(index_row, terms, counts, GroupFacts(art.language, stamp, stamp)), art


def _sketch(data: bytes | None, dims: int) -> np.ndarray:
    if data is None:
        raise StoreError("clustering state: an article row has no sketch; run `storyline regroup --db URL`")
    return np.frombuffer(data, dtype="<f2").astype(np.float32).reshape(dims)


class _RowSource:
    """Fetches what a partial state needs from ``rows`` (``incremental.StateSource``)."""

    def __init__(self, rows: StateRows) -> None:
        self.rows = rows

    def fetch_stories(self, state: ClusterState, story_ids: Sequence[str]) -> None:
        live = []
        for found in map(StoryState._make, self.rows.state_stories(story_ids)):
            state.created[found.id] = found.created
            if found.merged_into is None:
                live.append(found.id)
                state.stories[found.id] = StoryRecord(found.id, [], found.created)
            else:
                state.merged_into[found.id] = found.merged_into
        for aid, sid in self.rows.state_members(live):
            if state.article_story.setdefault(aid, sid) == sid:
                state.loaded_story.setdefault(aid, sid)
                state.stories[sid].members.append(aid)
        missing = set(story_ids) - set(state.created)
        if missing:
            raise StoreError(f"clustering state: no row for stories {sorted(missing)[:3]}; "
                             "run `storyline regroup --db URL` to rebuild it")

    def fetch_articles(self, state: ClusterState, article_ids: Sequence[str]) -> None:
        for row in self.rows.state_articles(article_ids, sketches=False, terms=True):
            stored, art = _unpack(row)
            if art.id in state.articles:
                stored.row = state.articles[art.id].row
            state.articles[art.id] = stored
            state.article_story.setdefault(art.id, art.story)
            state.loaded_story.setdefault(art.id, art.story)

    def fetch_df(self, state: ClusterState, terms: np.ndarray) -> None:
        for term, df in self.rows.state_df([int(t) for t in terms]):
            state.df[term] = df

    def fetch_duplicates(self, state: ClusterState, originals: Sequence[str]) -> None:
        for dup, original in self.rows.state_duplicates(originals):
            if dup not in state.duplicates:
                state.duplicates[dup] = original
                state.loaded_duplicates.add(dup)

    def taken(self, story_id: str) -> bool:
        return any(True for _ in self.rows.state_stories([story_id]))


def read_meta(rows: BlobStore, key: str, expected: int, what: str) -> dict | None:
    """The counters blob ``key`` of a state kept as rows (None when there is none), refused with a clear error when
    it was written in another format than ``expected``; ``what`` begins that error ("clustering state has")."""
    raw = rows.get_blob(key)
    if raw is None:
        return None
    meta = json.loads(raw)
    if meta.get("format") != expected:
        raise StoreError(f"{what} format {meta.get('format')!r}, this storyline reads {expected}; "
                         "upgrade storyline or run `storyline regroup --db URL`")
    return meta


def _meta(rows: BlobStore) -> dict | None:
    return read_meta(rows, META_KEY, FORMAT, "clustering state has")


def load_state(rows: StateRows, options: ClusterOptions, *, near: Sequence[Article] | None = None,
               recent: int = RECENT_ARTICLES) -> ClusterState:
    """The saved state (an empty one when nothing was saved yet): all of it, or with ``near`` (a batch about to be
    assigned) only what that batch can join (its date window and the ``recent`` articles added last), the rest
    fetched on demand."""
    meta = _meta(rows)
    if meta is None:
        if rows.get_blob(V1_KEYS[0]):
            return _load_v1(rows, options)
        return ClusterState.empty(options)
    if meta["dims"] != options.sketch_dims:
        raise StoreError(f"clustering state has {meta['dims']}-dimensional sketches, cluster.sketch_dims is "
                         f"{options.sketch_dims}; keep the setting or run `storyline regroup --db URL`")
    state = ClusterState.empty(options)
    state.n_docs, state.run, state.next_seq = meta["n_docs"], meta["run"], meta["next_seq"]
    if near is None:
        _load_all(rows, state)
    else:
        _load_near(rows, state, near, options, recent)
    state.embedding_model = meta.get("embedding_model")
    if state.embedding_model is not None:
        for day in sorted({_day(a.facts.first) for a in state.articles.values()}):
            stored = _day_vectors(rows, day)
            state.embeddings.update((aid, v) for aid, v in stored.items() if aid in state.articles)
    return state


def _day(stamp: float) -> str:
    """The publication day an article's vector is kept under."""
    if math.isnan(stamp):
        return "undated"
    return datetime.fromtimestamp(stamp, UTC).date().isoformat()


def _day_vectors(rows: BlobStore, day: str) -> dict[str, np.ndarray]:
    raw = rows.get_blob(EMBEDDINGS_PREFIX + day)
    if raw is None:
        return {}
    arrays = np.load(io.BytesIO(raw), allow_pickle=False)
    return dict(zip(arrays["ids"].tolist(), arrays["vectors"], strict=True))


def _save_vectors(rows: BlobStore, state: ClusterState, replace: bool) -> None:
    """Rewrite the day blobs of the vectors added since loading (``replace``: of every vector)."""
    by_day: dict[str, list[str]] = {}
    for aid in dict.fromkeys(state.embeddings if replace else state.embedded):
        if aid in state.articles:
            by_day.setdefault(_day(state.articles[aid].facts.first), []).append(aid)
    for day, ids in sorted(by_day.items()):
        kept = {} if replace else _day_vectors(rows, day)
        kept.update((aid, state.embeddings[aid]) for aid in ids)
        buffer = io.BytesIO()
        np.savez(buffer, ids=np.array(list(kept), dtype=str), vectors=np.array(list(kept.values()), dtype=np.float16))
        rows.put_blob(EMBEDDINGS_PREFIX + day, buffer.getvalue())
    state.embedded = []


def _index_rows(state: ClusterState, found: Iterable[tuple]) -> None:
    """Add the stored articles of ``found`` (rows with sketches) to an empty state's rows and sketch index."""
    sketches = []
    for row in found:
        stored, art = _unpack(row, len(state.article_at_row))
        sketches.append(_sketch(art.sketch, state.dims))
        state.articles[art.id] = stored
        state.article_at_row.append(art.id)
        state.article_story[art.id] = art.story
    if sketches:
        state.index.put(np.arange(len(sketches)), np.stack(sketches))


def _load_all(rows: StateRows, state: ClusterState) -> None:
    _index_rows(state, rows.state_articles(None, sketches=True, terms=True))
    for found in map(StoryState._make, rows.state_stories(None)):
        state.created[found.id] = found.created
        if found.merged_into is None:
            state.stories[found.id] = StoryRecord(found.id, [], found.created)
        else:
            state.merged_into[found.id] = found.merged_into
            state.merges.append(Merge(found.id, found.merged_into, found.merged_run or 0))
    state.merges.sort(key=lambda m: (m.run, m.story_id))
    for aid in state.article_at_row:
        state.stories[state.article_story[aid]].members.append(aid)
    state.duplicates = dict(rows.state_duplicates(None))
    for term, df in rows.state_df(None):
        state.df[term] = df
    state.loaded_story = dict(state.article_story)
    state.loaded_duplicates = set(state.duplicates)


def _load_near(rows: StateRows, state: ClusterState, near: Sequence[Article], options: ClusterOptions,
               recent: int) -> None:
    stamps = [a.published.timestamp() for a in near if a.published]
    first = last = None
    if stamps:
        first, last = (min(stamps) - options.max_days * DAY, max(stamps) + options.max_days * DAY) \
            if options.max_days > 0 else (-math.inf, math.inf)
    _index_rows(state, rows.state_window(first, last, state.next_seq - recent))
    known = [i for a in near for i in (a.id, a.duplicate_of) if i and i not in state.articles]
    for row in rows.state_articles(list(dict.fromkeys(known)), sketches=False, terms=False):
        stored, art = _unpack(row)
        state.articles[art.id] = stored
        state.article_story[art.id] = art.story
    state.loaded_story = dict(state.article_story)
    state.df_known = np.zeros(N_FEATURES, dtype=bool)
    state.source = _RowSource(rows)


def save_state(rows: StateRows, state: ClusterState, *, replace: bool = False) -> None:
    """Write what changed since ``state`` was loaded (``replace``: all of a full state, instead of the old rows)."""
    if replace and state.source is not None:
        raise ValueError("save_state(replace=True) needs a full state (load_state without near)")
    delta = StateDelta(replace=replace)
    added = state.article_at_row if replace else state.added
    base = 0 if replace else state.next_seq
    for i, aid in enumerate(added):
        stored = state.articles[aid]
        if stored.terms is None or stored.counts is None:
            raise ValueError(f"clustering state: article {aid!r} has no terms to save")
        stamp = None if math.isnan(stored.facts.first) else stored.facts.first
        sketch = state.index.get([stored.row])[0].astype("<f2").tobytes()
        delta.articles.append(ArticleState(aid, state.resolve(state.article_story[aid]), base + i, stamp,
                                           stored.facts.language, sketch, stored.terms.astype("<i4").tobytes(),
                                           stored.counts.astype("<f4").tobytes()))
    fresh = set(added)
    delta.moved = [(aid, sid) for aid, sid in state.article_story.items()
                   if aid not in fresh and state.loaded_story.get(aid, sid) != sid]
    if replace:
        story_ids = list(dict.fromkeys([*state.stories, *state.merged_into]))
        delta.duplicates = sorted(state.duplicates.items())
        terms = np.flatnonzero(state.df)
    else:
        story_ids = list(dict.fromkeys(state.new_stories))
        delta.duplicates = sorted((d, o) for d, o in state.duplicates.items() if d not in state.loaded_duplicates)
        terms = np.unique(np.concatenate(state.touched_terms)) if state.touched_terms else np.zeros(0, np.int64)
    runs = {m.story_id: m.run for m in state.merges}
    for sid in story_ids:
        live = sid in state.stories
        created = state.stories[sid].created if live else state.created.get(sid, runs.get(sid, 0))
        delta.stories.append(StoryState(sid, created, None if live else state.merged_into[sid],
                                        None if live else runs.get(sid, state.run)))
    delta.df = [(int(t), int(state.df[t])) for t in terms]
    if _meta(rows) is None:
        delta.drop_blobs = V1_KEYS
    rows.put_state(delta)
    state.next_seq = base + len(added)
    _save_vectors(rows, state, replace)
    rows.put_blob(META_KEY, json.dumps({"format": FORMAT, "dims": state.dims, "n_docs": state.n_docs,
                                        "run": state.run, "next_seq": state.next_seq,
                                        "embedding_model": state.embedding_model}).encode())
    state.added, state.touched_terms, state.new_stories = [], [], []
    state.loaded_story = dict(state.article_story)
    state.loaded_duplicates = set(state.duplicates)


class MemoryRows:
    """``StateRows`` in memory (a rebuild's fresh state, tests, benchmarks), blobs included."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.articles: dict[str, ArticleState] = {}
        self.stories: dict[str, StoryState] = {}
        self.duplicates: dict[str, str] = {}
        self.df: dict[int, int] = {}

    def get_blob(self, key: str) -> bytes | None:
        return self.blobs.get(key)

    def put_blob(self, key: str, data: bytes) -> None:
        self.blobs[key] = data

    @staticmethod
    def _shown(row: ArticleState, sketches: bool, terms: bool) -> ArticleState:
        return row._replace(sketch=row.sketch if sketches else None, terms=row.terms if terms else None,
                            counts=row.counts if terms else None)

    def state_articles(self, ids: Sequence[str] | None, *, sketches: bool, terms: bool) -> list[ArticleState]:
        chosen = sorted(self.articles.values(), key=lambda r: r.seq) if ids is None else \
            [self.articles[i] for i in ids if i in self.articles]
        return [self._shown(r, sketches, terms) for r in chosen]

    def state_window(self, first: float | None, last: float | None, since_seq: int) -> list[ArticleState]:
        def near(r: ArticleState) -> bool:
            dated = first is not None and last is not None and r.stamp is not None and first <= r.stamp <= last
            return dated or r.seq >= since_seq

        return [self._shown(r, True, False) for r in sorted(self.articles.values(), key=lambda r: r.seq) if near(r)]

    def state_members(self, story_ids: Sequence[str]) -> list[tuple[str, str]]:
        wanted = set(story_ids)
        return [(r.id, r.story) for r in sorted(self.articles.values(), key=lambda r: r.seq) if r.story in wanted]

    def state_stories(self, ids: Sequence[str] | None) -> list[StoryState]:
        return list(self.stories.values()) if ids is None else [self.stories[i] for i in ids if i in self.stories]

    def state_duplicates(self, originals: Sequence[str] | None) -> list[tuple[str, str]]:
        wanted = None if originals is None else set(originals)
        return [(d, o) for d, o in self.duplicates.items() if wanted is None or o in wanted]

    def state_df(self, terms: Sequence[int] | None) -> list[tuple[int, int]]:
        return list(self.df.items()) if terms is None else [(t, self.df[t]) for t in terms if t in self.df]

    def put_state(self, delta: StateDelta) -> None:
        if delta.replace:
            self.articles.clear()
            self.stories.clear()
            self.duplicates.clear()
            self.df.clear()
        for key in delta.drop_blobs:
            self.blobs.pop(key, None)
        self.articles.update((r.id, r) for r in delta.articles)
        for aid, sid in delta.moved:
            self.articles[aid] = self.articles[aid]._replace(story=sid)
        self.stories.update((s.id, s) for s in delta.stories)
        self.duplicates.update(delta.duplicates)
        self.df.update(delta.df)


def _load_v1(blobs: BlobStore, options: ClusterOptions) -> ClusterState:
    """A format-1 state (three blobs: JSON, NumPy arrays, an hnswlib index), in full, every part marked as changed
    so that the next ``save_state`` writes it as rows and drops the blobs."""
    import hnswlib

    meta = json.loads(blobs.get_blob(V1_KEYS[0]) or b"{}")
    if meta.get("format") != 1:
        raise StoreError(f"clustering state blob has format {meta.get('format')!r}; run `storyline regroup --db URL`")
    arrays = np.load(io.BytesIO(blobs.get_blob(V1_KEYS[1]) or b""), allow_pickle=False)
    ann = blobs.get_blob(V1_KEYS[2])
    if ann is None:
        raise StoreError("clustering state has no ANN index (blob 'cluster:ann'); run `storyline regroup --db URL`")
    import os
    import tempfile

    index = hnswlib.Index(space="ip", dim=meta["dims"])
    fd, path = tempfile.mkstemp(suffix=".hnsw")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(ann)
        index.load_index(path)
    finally:
        os.unlink(path)
    state = ClusterState(dims=meta["dims"], index=VectorIndex(meta["dims"]))
    state.n_docs, state.run = meta["n_docs"], meta["run"]
    state.df[arrays["df_index"]] = arrays["df_value"]
    state.touched_terms = [np.asarray(arrays["df_index"])]
    offsets = np.concatenate([[0], np.cumsum(arrays["lengths"])])
    all_terms, all_counts = arrays["terms"], arrays["counts"]
    ids = list(meta["articles"])
    for row, aid in enumerate(ids):
        language, first = meta["facts"][row]
        stamp = float("nan") if first is None else float(first)
        state.articles[aid] = StoredArticle(row, all_terms[offsets[row] : offsets[row + 1]],
                                            all_counts[offsets[row] : offsets[row + 1]],
                                            GroupFacts(language, stamp, stamp))
        state.article_story[aid] = meta["article_story"][row]
    if ids:
        state.index.put(np.arange(len(ids)), np.asarray(index.get_items(list(range(len(ids)))), dtype=np.float32))
    state.article_at_row, state.added = ids, list(ids)
    for sid, created, members in meta["stories"]:
        state.stories[sid] = StoryRecord(sid, list(members), created)
        state.created[sid] = created
    state.duplicates = dict(meta.get("duplicates", {}))
    for gone, into, run in meta["merges"]:
        state.merges.append(Merge(gone, into, run))
        state.merged_into[gone] = into
    state.new_stories = [*state.stories, *state.merged_into]
    return state


__all__ = ["RECENT_ARTICLES", "ArticleState", "BlobStore", "MemoryRows", "StateDelta", "StateRows", "StoryState",
           "load_state", "read_meta", "save_state"]
