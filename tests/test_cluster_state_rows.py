"""The clustering state as rows: a batch loads its date window only, writes only what it adds or changes, agrees
with a state held whole in memory, and a store of the earlier blob format converts on its next write."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from storyline.cluster.incremental import ClusterState, assign
from storyline.cluster.state_store import V1_KEYS, MemoryRows, load_state, save_state
from storyline.config import ClusterOptions
from storyline.models import Article
from storyline.store import Store
from test_cluster import bcubed_f1, duc_articles

OPTIONS = ClusterOptions()
_DATE = re.compile(r"(?:APW|NYT)(\d{8})")


def dated_duc(step: int) -> list[Article]:
    """DUC 2003 documents with the publication day their id carries, in publication order."""
    articles = []
    for a in duc_articles(step):
        found = _DATE.search(a.id)
        if found:
            day = datetime.strptime(found.group(1), "%Y%m%d").replace(hour=12, tzinfo=UTC)
            articles.append(Article(id=a.id, text=a.text, published=day, language="en"))
    return sorted(articles, key=lambda a: (a.published, a.id))


class CountingRows(MemoryRows):
    """``MemoryRows`` that counts the article rows each read returns."""

    def __init__(self) -> None:
        super().__init__()
        self.articles_read = 0

    def state_window(self, first: float | None, last: float | None, since_seq: int) -> list:  # type: ignore[override]
        rows = super().state_window(first, last, since_seq)
        self.articles_read += len(rows)
        return rows

    def state_articles(self, ids: Sequence[str] | None, *, sketches: bool, terms: bool) -> list:  # type: ignore[override]
        rows = super().state_articles(ids, sketches=sketches, terms=terms)
        self.articles_read += len(rows)
        return rows


def feed(rows: MemoryRows | Store, batch: list[Article], recent: int = 0) -> None:
    state = load_state(rows, OPTIONS, near=batch, recent=recent)
    assign(state, batch, OPTIONS)
    save_state(rows, state)


def groups_of(state: ClusterState) -> list[list[str]]:
    return sorted(sorted(members) for members in state.groups().values())


def test_batches_through_rows_agree_with_the_whole_state_in_memory() -> None:
    articles = dated_duc(3)
    gold_state = ClusterState.empty(OPTIONS)
    rows = MemoryRows()
    for start in range(0, len(articles), 20):
        batch = articles[start : start + 20]
        assign(gold_state, batch, OPTIONS)
        feed(rows, batch)  # recent=0: the date window alone
    whole = load_state(rows, OPTIONS)
    assert sorted(whole.article_story) == sorted(a.id for a in articles)
    gold = {aid: sid for sid, members in gold_state.groups().items() for aid in members}
    assert bcubed_f1(groups_of(whole), gold) >= 0.98
    for sid, record in whole.stories.items():  # every article row points at a live story that lists it
        assert all(whole.article_story[aid] == sid for aid in record.members)


def test_a_batch_reads_its_date_window_and_writes_only_its_rows() -> None:
    articles = dated_duc(3)
    rows = CountingRows()
    for start in range(0, len(articles), 40):
        feed(rows, articles[start : start + 40])
    stored_terms = len(rows.df)
    later = [Article(id=f"later/{a.id}", text=a.text, published=a.published + timedelta(days=400), language="en")
             for a in articles[:10]]
    rows.articles_read = 0
    state = load_state(rows, OPTIONS, near=later, recent=0)
    assert state.article_at_row == []  # nothing stored is within max_days of the batch
    assign(state, later, OPTIONS)
    before = {key: dict(value) for key, value in vars(rows).items() if isinstance(value, dict) and key != "blobs"}
    save_state(rows, state)
    assert rows.articles_read == 0
    assert set(rows.articles) - set(before["articles"]) == {a.id for a in later}
    assert all(rows.articles[aid] == row for aid, row in before["articles"].items())  # stored rows untouched
    assert len(rows.df) >= stored_terms and len(rows.df) - stored_terms < 10_000
    # the copies, 400 days later, are apart from their originals: dates too far apart for one story
    whole = load_state(rows, OPTIONS)
    assert {whole.article_story[a.id] for a in later}.isdisjoint({whole.article_story[a.id] for a in articles})


def _write_format_1(store: Store, state: ClusterState) -> None:
    """The blobs an earlier storyline wrote (format 1: JSON, NumPy arrays, an hnswlib index of the sketches)."""
    import hnswlib

    ids = state.article_at_row
    meta = {"format": 1, "dims": state.dims, "n_docs": state.n_docs, "run": state.run, "live": len(ids),
            "articles": ids,
            "facts": [[state.articles[a].facts.language, state.articles[a].facts.first] for a in ids],
            "article_story": [state.article_story[a] for a in ids],
            "stories": [[r.id, r.created, r.members] for r in state.stories.values()],
            "merges": [[m.story_id, m.into, m.run] for m in state.merges], "duplicates": state.duplicates}
    terms = [state.articles[a].terms for a in ids]
    counts = [state.articles[a].counts for a in ids]
    nonzero = np.flatnonzero(state.df)
    arrays = io.BytesIO()
    np.savez(arrays, lengths=np.array([len(t) for t in terms]), terms=np.concatenate(terms),
             counts=np.concatenate(counts), df_index=nonzero, df_value=state.df[nonzero])
    index = hnswlib.Index(space="ip", dim=state.dims)
    index.init_index(max_elements=len(ids), ef_construction=100, M=16, random_seed=1)
    index.add_items(state.index.get(range(len(ids))), np.arange(len(ids)))
    path = Path(store.engine.url.database or "").with_suffix(".hnsw")
    index.save_index(str(path))
    store.put_blob(V1_KEYS[0], json.dumps(meta).encode())
    store.put_blob(V1_KEYS[1], arrays.getvalue())
    store.put_blob(V1_KEYS[2], path.read_bytes())


def test_a_store_of_the_blob_format_converts_to_rows_on_its_next_write(tmp_path: Path) -> None:
    articles = dated_duc(4)
    first, second = articles[: len(articles) // 2], articles[len(articles) // 2 :]
    old = ClusterState.empty(OPTIONS)
    assign(old, first, OPTIONS)
    with Store.open(tmp_path / "old.db") as store:
        _write_format_1(store, old)
    with Store.open(tmp_path / "old.db") as store:  # opens (migrated), then the next batch converts the state
        feed(store, second, recent=1000)
        assert all(store.get_blob(key) is None for key in V1_KEYS)
        whole = load_state(store, OPTIONS)
    assert sorted(whole.article_story) == sorted(a.id for a in articles)
    assign(old, second, OPTIONS)  # the same batch on the old state kept in memory
    gold = {aid: sid for sid, members in old.groups().items() for aid in members}
    assert bcubed_f1(groups_of(whole), gold) >= 0.98
    assert (whole.df == old.df).all() and whole.n_docs == old.n_docs
