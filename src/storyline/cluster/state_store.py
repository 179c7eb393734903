"""Persistence of the incremental clustering state as a few blobs behind a ``get_blob``/``put_blob`` interface.

Any object with those two methods works (the store's ``Store`` has them). Nothing is pickled: the
state is JSON, NumPy ``.npz`` and hnswlib's own index format, so a database from elsewhere cannot run code.
"""

from __future__ import annotations

import io
import json
from typing import Protocol

import numpy as np

from ..config import ClusterOptions
from ..errors import StoreError
from .constraints import GroupFacts
from .features import N_FEATURES
from .incremental import ClusterState, Merge, StoredArticle, StoryRecord, VectorIndex

FORMAT = 1
KEYS = ("cluster:state", "cluster:arrays", "cluster:ann", "cluster:embeddings")
"""``cluster:embeddings`` exists only in a store that met two languages with a cross-lingual model on."""


class BlobStore(Protocol):
    def get_blob(self, key: str) -> bytes | None: ...

    def put_blob(self, key: str, data: bytes) -> None: ...


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
        "embedding_model": state.embedding_model,
    }
    lengths = np.array([len(state.articles[a].terms) for a in ids], dtype=np.int64)
    terms = np.concatenate([state.articles[a].terms for a in ids]) if ids else np.zeros(0, np.int32)
    counts = np.concatenate([state.articles[a].counts for a in ids]) if ids else np.zeros(0, np.float32)
    nonzero = np.flatnonzero(state.df)
    buffer = io.BytesIO()
    # Not compressed: the state is rewritten after every batch, and deflating it cost ~1 s per batch into a
    # 10,000-article store (70 % of the clustering state's save, growing with the store; bench/live.py). np.load
    # reads stores saved compressed by earlier versions as well.
    np.savez(buffer, lengths=lengths, terms=terms, counts=counts, df_index=nonzero, df_value=state.df[nonzero])
    blobs.put_blob("cluster:state", json.dumps(meta, allow_nan=True).encode())
    blobs.put_blob("cluster:arrays", buffer.getvalue())
    blobs.put_blob("cluster:ann", state.index.to_bytes())
    if state.embeddings_changed:  # rewritten only when vectors were added (float16: 768 bytes an article with e5)
        buffer = io.BytesIO()
        np.savez(buffer, ids=np.array(list(state.embeddings), dtype=str),
                 vectors=np.array(list(state.embeddings.values()), dtype=np.float16))
        blobs.put_blob("cluster:embeddings", buffer.getvalue())
        state.embeddings_changed = False


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
    state.languages = {f.language for f in (s.facts for s in state.articles.values()) if f.language}
    state.embedding_model = meta.get("embedding_model")
    stored = blobs.get_blob("cluster:embeddings")
    if stored is not None and state.embedding_model is not None:
        vectors = np.load(io.BytesIO(stored), allow_pickle=False)
        state.embeddings = {aid: vector for aid, vector in zip(vectors["ids"].tolist(), vectors["vectors"], strict=True)
                            if aid in state.articles}
    for gone, into, run in meta["merges"]:
        state.merges.append(Merge(gone, into, run))
        state.merged_into[gone] = into
    return state


__all__ = ["BlobStore", "load_state", "save_state"]
