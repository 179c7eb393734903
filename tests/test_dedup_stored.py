"""Near-duplicates across runs: a copy of an article an earlier run stored is linked to it, on SQLite and PostgreSQL.

The demo corpus has one wire copy: `hl-0916-rail-strike` (articles.jsonl, Harbor Ledger) reprints Morning Signal's
rail-strike story with its own opening line. Fed in two runs, the copy arrives after its original is stored.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storehelp import BACKENDS, fresh_database
from storyline import Article, Digest, Settings, digest
from storyline.config import CompareOptions, DedupOptions
from storyline.dedup import dedup_key
from storyline.dedup.stored import band_keys, lsh_shape, scheme
from storyline.store import Store
from storyline.store.tables import DedupBandRow, DedupKeyRow

from conftest import DEMO, run_cli

COPY = "hl-0916-rail-strike"
REASON = "duplicates of articles stored by earlier runs"
SETTINGS = Settings(progress=False, compare=CompareOptions(enabled=False))  # comparison: not under test


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path):
    with fresh_database(request.param, tmp_path) as url, Store.open(url) as opened:
        yield opened


def _run(store: Store, *paths: Path) -> Digest:
    result = digest(paths=[str(p) for p in paths], settings=SETTINGS, incremental=store)
    store.save_digest(result)
    return result


def _original_id(store: Store) -> str:
    return next(a.id for a in store.load_digest().articles if a.id.endswith("carrow-valley-strike.txt"))


def _band_rows(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(DedupBandRow)) or 0)


def test_a_copy_of_a_stored_article_is_its_duplicate_and_joins_its_story(store: Store) -> None:
    first = _run(store, DEMO / "morning-signal")
    assert first.stats.duplicates == 0
    original = _original_id(store)
    second = _run(store, DEMO / "articles.jsonl")
    copy = next(a for a in second.articles if a.id == COPY)
    assert copy.duplicate_of == original
    # counted like an in-run duplicate, with its reason
    assert second.stats.duplicates == 1 and second.stats.dropped[REASON] == 1
    # it joined its original's story, which this run output whole (the original loaded from the store)
    home = next(s for s in second.stories if COPY in s.article_ids)
    assert original in home.article_ids
    stored = store.load_digest()
    assert {a.id: a.duplicate_of for a in stored.articles}[COPY] == original
    assert store.article_homes()[COPY] == store.article_homes()[original]
    # the same grouping as one run over everything (where the copy is an in-run duplicate)
    batch = digest(paths=[str(DEMO / "morning-signal"), str(DEMO / "articles.jsonl")], settings=SETTINGS)
    assert {a.id: a.duplicate_of for a in batch.articles}[COPY] == original


def test_re_running_changes_nothing(store: Store) -> None:
    _run(store, DEMO / "morning-signal")
    _run(store, DEMO / "articles.jsonl")
    rows, before = _band_rows(store), store.load_digest()
    again = digest(paths=[str(DEMO / "articles.jsonl")], settings=SETTINGS, incremental=store)
    report = store.save_digest(again)
    assert {a.id: a.duplicate_of for a in again.articles}[COPY] == _original_id(store)
    assert again.stats.dropped[REASON] == 1
    assert (report.articles_new, report.stories_new, report.stories_changed) == (0, 0, 0)
    assert _band_rows(store) == rows
    after = store.load_digest()
    assert {a.id: a.duplicate_of for a in after.articles} == {a.id: a.duplicate_of for a in before.articles}
    # the original itself, fed again, stays the original
    third = digest(paths=[str(DEMO / "morning-signal")], settings=SETTINGS, incremental=store)
    links = {a.id: a.duplicate_of for a in third.articles}  # its story is output whole, the stored copy included
    original = _original_id(store)
    assert links[original] is None and links[COPY] == original
    assert sum(1 for target in links.values() if target) == 1


def test_articles_stored_without_keys_are_indexed_on_the_next_run(store: Store) -> None:
    _run(store, DEMO / "morning-signal")
    with store.session() as s:  # a store filled before the dedup tables existed: no keys
        s.execute(DedupBandRow.__table__.delete())
        s.execute(DedupKeyRow.__table__.delete())
    second = _run(store, DEMO / "articles.jsonl")
    assert {a.id: a.duplicate_of for a in second.articles}[COPY] == _original_id(store)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(DedupKeyRow)) == len(store.load_digest().articles)


def test_a_stored_original_outside_the_clustering_state_is_not_joined(store: Store) -> None:
    # saved by a plain (non-incremental) digest: the stories exist, the incremental clustering state does not
    store.save_digest(digest(paths=[str(DEMO / "morning-signal")], settings=SETTINGS))
    second = digest(paths=[str(DEMO / "articles.jsonl")], settings=SETTINGS, incremental=store)
    assert {a.id: a.duplicate_of for a in second.articles}[COPY] is None
    assert second.stats.dropped["duplicates clustered as originals: stored original in no story"] == 1


def test_keys_made_with_other_settings_are_rebuilt(store: Store) -> None:
    _run(store, DEMO / "morning-signal")
    other = dataclasses.replace(SETTINGS, dedup=DedupOptions(num_perm=64))
    assert scheme(other.dedup) != scheme(SETTINGS.dedup)
    second = digest(paths=[str(DEMO / "articles.jsonl")], settings=other, incremental=store)
    assert {a.id: a.duplicate_of for a in second.articles}[COPY] == _original_id(store)
    with store.session() as s:
        schemes = set(s.scalars(select(DedupKeyRow.scheme)))
    assert schemes == {scheme(other.dedup)}


def test_in_run_copies_of_a_stored_copy_point_at_the_stored_original(store: Store) -> None:
    _run(store, DEMO / "morning-signal")
    original = store.article(_original_id(store))
    wire = Article(id="wire-1", text="From the wire. " + original.text, published=original.published)
    again = Article(id="wire-2", text="Reprinted. " + original.text + " Read more at the wire.",
                    published=original.published)
    result = digest([wire, again], settings=SETTINGS, incremental=store)
    links = {a.id: a.duplicate_of for a in result.articles}
    assert links["wire-1"] == original.id and links["wire-2"] == original.id
    assert result.stats.dropped[REASON] == 2


def test_unrelated_new_articles_are_not_linked(store: Store) -> None:
    _run(store, DEMO / "morning-signal")
    result = digest(paths=[str(DEMO / "harbor-ledger"), str(DEMO / "valley-courier")], settings=SETTINGS,
                    incremental=store)
    assert result.stats.duplicates == 0 and REASON not in result.stats.dropped


def test_band_keys_are_stable_and_match_the_lsh_shape() -> None:
    options = DedupOptions()
    text = " ".join(f"The river rose {i} feet through the night and the old dam gave way." for i in range(20))
    key = dedup_key(Article(id="a", text=text), options)
    bands = band_keys(key.signature, options)
    assert len(bands) == lsh_shape(options)[0] == len(set(bands))
    assert bands == band_keys(dedup_key(Article(id="b", text=text), options).signature, options)
    assert all(-(2**63) <= b < 2**63 for b in bands)
    near = dedup_key(Article(id="c", text=text.replace("night", "evening", 1)), options)  # Jaccard ~0.95
    assert set(bands) & set(band_keys(near.signature, options))
    unrelated = dedup_key(Article(id="d", text="Markets closed higher on Friday as oil prices eased. " * 5), options)
    assert not set(bands) & set(band_keys(unrelated.signature, options))


def test_digest_db_marks_a_later_copy_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    run_cli("digest", str(DEMO / "morning-signal"), "--db", str(db), "-q")
    done = run_cli("digest", str(DEMO / "articles.jsonl"), "--db", str(db), "-o", str(tmp_path / "out"))
    assert "(1 duplicate," in done.stderr
    data = json.loads((tmp_path / "out" / "stories.json").read_text(encoding="utf-8"))
    links = {a["id"]: a.get("duplicate_of") for a in data["articles"]}
    assert links[COPY] is not None and links[COPY].endswith("carrow-valley-strike.txt")
