"""Persistence of the incremental clustering state as a few blobs behind a ``get_blob``/``put_blob`` interface.

Any object with those two methods works (the store's ``Store`` has them); ``SqliteBlobs`` is a small stand-in over
SQLAlchemy tables ``cluster_state`` and ``cluster_index`` for use without the store. Nothing is pickled: the
state is JSON, NumPy ``.npz`` and hnswlib's own index format, so a database from elsewhere cannot run code.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..config import ClusterOptions
from ..errors import StoreError
from .constraints import GroupFacts
from .features import N_FEATURES
from .incremental import ClusterState, Merge, StoredArticle, StoryRecord, VectorIndex

FORMAT = 1
KEYS = ("cluster:state", "cluster:arrays", "cluster:ann")


class BlobStore(Protocol):
    def get_blob(self, key: str) -> bytes | None: ...

    def put_blob(self, key: str, data: bytes) -> None: ...


class SqliteBlobs:
    """Blobs in a SQLite file: ``cluster:ann`` in table ``cluster_index``, the rest in ``cluster_state``."""

    def __init__(self, path: str | Path) -> None:
        from sqlalchemy import Column, LargeBinary, MetaData, String, Table, create_engine

        path = Path(path)
        if path.is_dir():
            raise StoreError(
                f"cannot open clustering state {str(path)!r}: it is a folder; pass a file path like state.db"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(f"sqlite:///{path}")
        meta = MetaData()
        self.tables = {
            name: Table(name, meta, Column("key", String(256), primary_key=True), Column("value", LargeBinary))
            for name in ("cluster_state", "cluster_index")
        }
        meta.create_all(self.engine)

    def _table(self, key: str) -> Any:
        return self.tables["cluster_index" if key == "cluster:ann" else "cluster_state"]

    def get_blob(self, key: str) -> bytes | None:
        table = self._table(key)
        with self.engine.connect() as conn:
            row = conn.execute(table.select().where(table.c.key == key)).first()
        return None if row is None else bytes(row.value)

    def put_blob(self, key: str, data: bytes) -> None:
        table = self._table(key)
        with self.engine.begin() as conn:
            conn.execute(table.delete().where(table.c.key == key))
            conn.execute(table.insert().values(key=key, value=data))


def save_state(blobs: BlobStore, state: ClusterState) -> None:
    """Write ``state`` as three blobs (JSON metadata, NumPy arrays, the HNSW index)."""
    ids = state.article_at_row
    meta = {
        "format": FORMAT,
        "dims": state.dims,
        "n_docs": state.n_docs,
        "run": state.run,
        "live": state.index.live,
        "articles": ids,
        "facts": [[state.articles[a].facts.language, state.articles[a].facts.first] for a in ids],
        "article_story": [state.article_story[a] for a in ids],
        "stories": [[r.id, r.created, r.members] for r in state.stories.values()],
        "merges": [[m.story_id, m.into, m.run] for m in state.merges],
        "duplicates": state.duplicates,
    }
    lengths = np.array([len(state.articles[a].terms) for a in ids], dtype=np.int64)
    terms = np.concatenate([state.articles[a].terms for a in ids]) if ids else np.zeros(0, np.int32)
    counts = np.concatenate([state.articles[a].counts for a in ids]) if ids else np.zeros(0, np.float32)
    nonzero = np.flatnonzero(state.df)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, lengths=lengths, terms=terms, counts=counts, df_index=nonzero, df_value=state.df[nonzero]
    )
    blobs.put_blob("cluster:state", json.dumps(meta, allow_nan=True).encode())
    blobs.put_blob("cluster:arrays", buffer.getvalue())
    blobs.put_blob("cluster:ann", state.index.to_bytes())


def load_state(blobs: BlobStore, options: ClusterOptions) -> ClusterState:
    """The saved state, or an empty one when nothing was saved yet."""
    raw = blobs.get_blob("cluster:state")
    if raw is None:
        return ClusterState.empty(options)
    meta = json.loads(raw)
    if meta.get("format") != FORMAT:
        raise StoreError(f"clustering state has format {meta.get('format')!r}, this storyline reads {FORMAT}; "
                         "re-run digest into a new --db or upgrade storyline")
    arrays = np.load(io.BytesIO(blobs.get_blob("cluster:arrays") or b""), allow_pickle=False)
    ann = blobs.get_blob("cluster:ann")
    if ann is None:
        raise StoreError("clustering state has no ANN index (blob 'cluster:ann'); re-run digest into a new --db")
    state = ClusterState(dims=meta["dims"], index=VectorIndex.from_bytes(ann, meta["dims"], meta["live"]))
    state.n_docs, state.run = meta["n_docs"], meta["run"]
    state.df = np.zeros(N_FEATURES, dtype=np.int32)
    state.df[arrays["df_index"]] = arrays["df_value"]
    offsets = np.concatenate([[0], np.cumsum(arrays["lengths"])])
    # Each NpzFile lookup decompresses the whole array again: read each once. Looked up per article, a re-run on a
    # 10,000-article store took minutes and 12 GB (every article's slice kept its own full copy alive).
    all_terms, all_counts = arrays["terms"], arrays["counts"]
    for row, aid in enumerate(meta["articles"]):
        language, first = meta["facts"][row]
        stamp = float("nan") if first is None else float(first)
        state.articles[aid] = StoredArticle(
            row,
            all_terms[offsets[row] : offsets[row + 1]],
            all_counts[offsets[row] : offsets[row + 1]],
            GroupFacts(language, stamp, stamp),
        )
        state.article_story[aid] = meta["article_story"][row]
    state.article_at_row = list(meta["articles"])
    for sid, created, members in meta["stories"]:
        state.stories[sid] = StoryRecord(sid, list(members), created)
    state.duplicates = dict(meta.get("duplicates", {}))
    for gone, into, run in meta["merges"]:
        state.merges.append(Merge(gone, into, run))
        state.merged_into[gone] = into
    return state


__all__ = ["BlobStore", "SqliteBlobs", "load_state", "save_state"]
