"""The store over SQLite and a real PostgreSQL server: round trips, idempotence, history, search, blobs, errors."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from storehelp import BACKENDS, demo_digest, fresh_database, with_comparison
from storyline import Article, Rejected
from storyline.errors import StoreError
from storyline.output.json import digest_to_dict
from storyline.store import Store, queries
from storyline.store.codec import utcnow
from storyline.store.queries import StoryFilter
from storyline.store.search import ranked_ids
from storyline.store.tables import ArticleRow


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path):
    with fresh_database(request.param, tmp_path) as url, Store.open(url) as opened:
        yield opened


def _plain(result):
    data = digest_to_dict(result)
    return data["stories"], data["articles"], data["rejected"]


def test_round_trip_keeps_every_field(store: Store) -> None:
    result = with_comparison(demo_digest())
    result.rejected.append(Rejected("feeds/broken.xml", "not RSS or Atom (root element <html>)"))
    store.save_digest(result)
    back = store.load_digest()
    stories, articles, rejected = _plain(back)
    want_stories, want_articles, want_rejected = _plain(result)
    assert sorted(articles, key=lambda a: a["id"]) == sorted(want_articles, key=lambda a: a["id"])
    assert {s["id"]: s for s in stories} == {s["id"]: s for s in want_stories}
    assert rejected == want_rejected
    assert back.stats.articles == 18 and back.stats.duplicates == 1 and back.stats.rejected == 1
    story = next(s for s in back.stories if s.conflicts)
    assert story.quotes and story.entities and story.timeline and story.agreed and story.unique
    # offsets still point at the same words after the round trip (time zones of `published` kept too)
    texts = {a.id: a.text for a in back.articles}
    for q in story.quotes:
        assert texts[q.article_id][q.start:q.end] == q.text
    assert {a.id: a.published for a in back.articles} == {a.id: a.published for a in result.articles}


def test_saving_twice_changes_nothing(store: Store) -> None:
    result = demo_digest()
    result.rejected.append(Rejected("x.warc", "truncated record"))
    first = store.save_digest(result)
    second = store.save_digest(result)
    assert (first.articles_new, first.stories_new, first.rejects_new) == (18, len(result.stories), 1)
    assert (second.articles_new, second.stories_new, second.stories_changed) == (0, 0, 0)
    assert second.stories_unchanged == len(result.stories)
    assert second.rejects_seen_again == 1 and second.rejects_new == 0
    assert all(len(store.story_history(s.id)) == 1 for s in result.stories)
    items, total = store.rejects()
    assert total == 1 and items[0]["times"] == 2
    assert store.counts() == {"articles": 18, "duplicates": 1, "pending": 0, "stories": len(result.stories),
                              "rejected": 1}


def test_changed_story_gets_a_new_version_and_keeps_history(store: Store) -> None:
    result = demo_digest()
    store.save_digest(result)
    story = result.stories[0]
    before = utcnow()
    old_summary = [s.text for s in story.summary]
    story.headline = "A new headline"
    story.summary = story.summary[:1]
    report = store.save_digest(result)
    assert report.stories_changed == 1 and report.stories_unchanged == len(result.stories) - 1
    history = store.story_history(story.id)
    assert [v.version for v in history] == [1, 2]
    assert [s.text for s in history[0].story.summary] == old_summary
    assert history[1].story.headline == "A new headline"
    assert store.story(story.id).headline == "A new headline"
    as_of = store.story_as_of(story.id, before - timedelta(microseconds=1))
    assert as_of is not None and as_of.version == 1
    assert store.story_as_of(story.id, before - timedelta(days=1)) is None
    assert store.stories_changed_since(before - timedelta(microseconds=1)) == [story.id]
    assert store.story_version(story.id)[0] == 2


def test_article_moving_to_another_story_updates_both(store: Store) -> None:
    result = demo_digest()
    store.save_digest(result)
    small = min(result.stories, key=lambda s: len(s.article_ids))
    big = max(result.stories, key=lambda s: len(s.article_ids))
    moved = small.article_ids[0]
    big.article_ids = sorted([*big.article_ids, moved])
    report = store.save_digest(dataclasses.replace(result, stories=[big]))
    assert store.story(big.id).article_ids == big.article_ids
    if len(small.article_ids) == 1:
        assert report.stories_emptied == 1
        with pytest.raises(KeyError):
            store.story(small.id)
        assert store.story_history(small.id)  # history outlives the story
    else:
        assert moved not in store.story(small.id).article_ids


def test_stories_may_name_articles_saved_earlier_but_not_unknown_ones(store: Store) -> None:
    result = demo_digest()
    store.save_articles(result.articles)
    assert len(store.pending_articles()) == 18
    store.save_digest(dataclasses.replace(result, articles=[]))
    assert store.pending_articles() == []
    broken = dataclasses.replace(result.stories[0], id="s-broken", article_ids=["no-such-article"])
    with pytest.raises(StoreError, match="'no-such-article' is neither in the digest nor in the store"):
        store.save_digest(dataclasses.replace(result, articles=[], stories=[broken]))


def test_filters_and_orders(store: Store) -> None:
    result = with_comparison(demo_digest())
    store.save_digest(result)
    everything, total = queries.list_stories(store, StoryFilter(), 100, 0)
    assert total == len(result.stories) == len(everything)
    dated = [c["last_published"] for c in everything if c["last_published"]]
    assert dated == sorted(dated, reverse=True)
    biggest, _ = queries.list_stories(store, StoryFilter(sort="biggest"), 100, 0)
    assert [c["size"] for c in biggest] == sorted((c["size"] for c in biggest), reverse=True)
    page, total = queries.list_stories(store, StoryFilter(), 2, 2)
    assert [c["id"] for c in page] == [c["id"] for c in everything[2:4]] and total == len(everything)
    ledger, _ = queries.list_stories(store, StoryFilter(source="Harbor Ledger"), 100, 0)
    want = {s.id for s in result.stories if any(result.article(a).source == "Harbor Ledger" for a in s.article_ids)}
    assert {c["id"] for c in ledger} == want and want
    ortiz, _ = queries.list_stories(store, StoryFilter(entity="Lena Ortiz"), 100, 0)
    assert [c["id"] for c in ortiz] == [s.id for s in result.stories if any(e.name == "Lena Ortiz" for e in s.entities)]
    from datetime import datetime

    since = datetime.fromisoformat("2026-09-15T00:00:00+00:00")
    late, _ = queries.list_stories(store, StoryFilter(since=since), 100, 0)
    assert late and all(c["last_published"] >= "2026-09-15" for c in late)
    assert queries.list_stories(store, StoryFilter(language="xx"), 10, 0) == ([], 0)
    sources, count = queries.list_sources(store, 100, 0)
    assert count == len({a.source_name for a in result.articles})
    assert sum(s["articles"] for s in sources) == 18


@pytest.mark.parametrize("q", ['"unbalanced', "NEAR(fire", "fire OR", "a*b", "-minus", "col:umn", "'; drop table x"])
def test_search_ignores_query_syntax(store: Store, q: str) -> None:
    store.save_digest(demo_digest())
    with store.session() as s:
        ranked_ids(s, "story", q, 10, 0)  # no FTS syntax error, whatever the user typed


def test_search_finds_the_same_on_every_backend(store: Store) -> None:
    result = demo_digest()
    store.save_digest(result)
    found = queries.search(store, "ammonia harbour", 50, 0)
    with_words = {a.id for a in result.articles
                  if {"ammonia", "harbour"} <= set((a.title or "").lower().split() + a.text.lower().replace(",", " ")
                                                   .replace(".", " ").split())}
    assert {a["id"] for a in found["articles"]} == with_words and with_words
    assert found["articles_total"] == len(with_words)
    story_hits = queries.search(store, "mussel", 50, 0)["stories"]
    assert story_hits and all("mussel" in (c["headline"] + c["lede"]).lower() or c["size"] for c in story_hits)
    assert queries.search(store, "zzzunknownword", 10, 0)["stories_total"] == 0


def test_blobs(store: Store) -> None:
    assert store.get_blob("cluster:ann") is None
    store.put_blob("cluster:ann", b"\x00\x01index")
    store.put_blob("cluster:ann", b"\x00\x02index")
    assert store.get_blob("cluster:ann") == b"\x00\x02index"
    big = bytes(range(256)) * 8192
    store.put_blob("cluster:state", big)
    assert store.get_blob("cluster:state") == big
    with pytest.raises(TypeError, match="needs bytes"):
        store.put_blob("x", "text")  # type: ignore[arg-type]


def test_open_errors_name_the_input_and_the_fix(tmp_path) -> None:
    with pytest.raises(StoreError, match="it is a folder; pass a file path"):
        Store.open(tmp_path)
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        Store.open("mysql://localhost/db")
    with pytest.raises(StoreError, match="in-memory database"):
        Store.open("sqlite:///:memory:")
    with pytest.raises(StoreError, match=r"cannot open store 'postgresql://nobody@127\.0\.0\.1:9/none'.*server runs"):
        Store.open("postgresql://nobody@127.0.0.1:9/none")


def test_default_store_lives_in_the_data_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with Store.open(None) as store:
        store.save_articles([Article(id="a1", text="A dam broke in Lowtown on Monday. Ten homes flooded.")])
    assert (tmp_path / "data" / "storyline" / "storyline.db").is_file()


def test_migrations_go_down_and_up(tmp_path) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from storyline.store import migrate

    with Store.open(tmp_path / "m.db") as store:
        store.save_digest(demo_digest())
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        config = migrate.alembic_config()
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
        assert migrate.current_revision(store.engine) is None
    with Store.open(tmp_path / "m.db") as store:  # opening migrates again
        assert store.counts()["stories"] == 0
        store.save_digest(demo_digest())
        assert store.counts()["articles"] == 18


def test_newer_schema_is_refused(tmp_path) -> None:
    from sqlalchemy import text

    with Store.open(tmp_path / "n.db") as store, store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="written by a newer storyline"):
        Store.open(tmp_path / "n.db")


def test_migrations_create_exactly_the_declared_tables(store: Store) -> None:
    """tables.py and the shipped migrations agree (a model change without a migration fails here)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storyline.store.tables import Base

    with store.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    def dialect_specific(diff: object) -> bool:  # the FTS5 tables (SQLite) and the tsvector column (PostgreSQL)
        text = repr(diff)
        return "search_fts" in text or "'tsv'" in text or "ix_search_docs_tsv" in text

    assert [d for d in diffs if not dialect_specific(d)] == []


def test_sqlite_uses_its_write_ahead_log_and_waits_for_the_write_lock(tmp_path) -> None:
    """Readers never block the writer (WAL) and a second writer waits (busy_timeout) instead of failing at once."""
    from storyline.store.repository import SQLITE_BUSY_MS

    with Store.open(tmp_path / "wal.db") as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_MS


def test_the_write_clock_times_write_transactions_only(store: Store) -> None:
    """A write transaction is timed from its first write to its commit; a read-only one is not counted."""
    import time

    clock = store.write_clock
    mark = clock.count
    with store.session() as s:
        s.execute(select(ArticleRow.id)).all()
        time.sleep(0.05)  # before the first write: not holding the write lock yet
    assert clock.holds_since(mark) == []
    store.put_blob("clock", b"x")
    with store.session() as s:
        s.execute(select(ArticleRow.id)).all()
        store._write_blob(s, "clock", b"y")
        s.flush()
        time.sleep(0.05)
    holds = clock.holds_since(mark)
    assert len(holds) == 2 and holds[0] > 0 and 0.05 <= holds[1] < 5
