"""POST /api/articles' writer thread: the posts that wait together share one transaction, each keeps its own job,
and a post that fails fails alone (SQLite and a real PostgreSQL server)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from storehelp import BACKENDS, fresh_database
from storyline.models import Article, Rejected
from storyline.store import Store
from storyline.store.tables import ArticleRow
from storyline.web.writes import PostWriter

TEXT = ("The harbour authority of Portmere closed the north quay on Tuesday after a crane collapsed onto a cargo "
        "ship, injuring two dock workers, the authority's spokeswoman said.")


def article(n: int) -> Article:
    return Article(id=f"post-{n}", text=f"{TEXT} Report number {n}.", source="writes-test",
                   input="POST /api/articles")


@pytest.mark.parametrize("backend", BACKENDS)
def test_waiting_posts_share_one_commit_and_keep_their_jobs(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url, Store.open(url) as store:
        writer = PostWriter(store)
        try:
            gate, busy = threading.Event(), threading.Event()

            def first_check() -> tuple[list[Article], list[Rejected]]:
                busy.set()
                gate.wait(10)  # the thread is busy with this post while the next five queue up
                return [article(0)], []

            first = writer.submit(first_check)
            assert busy.wait(10)
            rest = [writer.submit(lambda n=n: ([article(n), article(n + 100)], [])) for n in range(1, 6)]
            gate.set()
            done = [f.result(30) for f in [first, *rest]]
        finally:
            writer.close()
        # the five that waited together were committed by one transaction, the first alone before them
        assert len({w.stored for w in done[1:]}) == 1 and done[0].stored < done[1].stored
        jobs = [w.job_id for w in done]
        assert len(set(jobs)) == 6 and all(j is not None for j in jobs)
        assert [w.accepted for w in done] == [1, 2, 2, 2, 2, 2]
        with store.session() as s:
            pending = dict(s.execute(select(ArticleRow.id, ArticleRow.pending_job)).all())
        assert pending == {"post-0": jobs[0]} | {f"post-{n}": jobs[n] for n in range(1, 6)} | {
            f"post-{n + 100}": jobs[n] for n in range(1, 6)}
        assert [store.jobs.get(j)["articles"] for j in jobs] == [1, 2, 2, 2, 2, 2]


def test_a_failing_post_fails_alone(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "store.db")) as store:
        writer = PostWriter(store)
        try:
            gate, busy = threading.Event(), threading.Event()

            def blocked() -> tuple[list[Article], list[Rejected]]:
                busy.set()
                gate.wait(10)
                return [article(0)], []

            def broken_check() -> tuple[list[Article], list[Rejected]]:
                raise ValueError("check failed")

            futures = [writer.submit(blocked)]
            assert busy.wait(10)
            futures += [writer.submit(lambda: ([article(1)], [])),
                       writer.submit(broken_check),
                       # not an Article: the group's transaction cannot be built, so each post is stored alone
                       writer.submit(lambda: (["not an article"], [])),  # type: ignore[list-item]
                       writer.submit(lambda: ([article(2)], [])),
                       writer.submit(lambda: ([article(3)], []), group=False)]
            gate.set()
            with pytest.raises(ValueError, match="check failed"):
                futures[2].result(30)
            with pytest.raises(AttributeError):
                futures[3].result(30)
            good = [futures[i].result(30) for i in (0, 1, 4, 5)]
        finally:
            writer.close()
        assert [w.job_id is None for w in good] == [False, False, False, True]
        with store.session() as s:
            pending = dict(s.execute(select(ArticleRow.id, ArticleRow.pending_job)).all())
        assert pending == {"post-0": good[0].job_id, "post-1": good[1].job_id, "post-2": good[2].job_id,
                           "post-3": None}


@pytest.mark.parametrize("backend", BACKENDS)
def test_story_answers_outlast_posts_that_only_add_articles(backend: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from storehelp import filled_store
    from storyline import Settings
    from storyline.web import create_app

    with fresh_database(backend, tmp_path) as url:
        store, everything = filled_store(url)
        try:
            app = create_app(store, Settings().with_overrides({"web.token": "t", "web.worker": False}))
            auth = {"authorization": "Bearer t"}
            story = everything.stories[0]
            member = next(a for a in everything.articles if a.id in story.article_ids)
            with TestClient(app) as client:
                cache = app.state.cache

                def story_answers() -> tuple[int, int]:
                    before = (cache.hits, cache.misses)
                    for path in (f"/api/stories/{story.id}", f"/stories/{story.id}", "/api/stories", "/"):
                        assert client.get(path).status_code == 200
                    return cache.hits - before[0], cache.misses - before[1]

                def post(article_id: str, text: str, title: str | None = None) -> None:
                    body = {"articles": [{"id": article_id, "text": text, "title": title}]}
                    assert client.post("/api/articles", json=body, headers=auth).status_code == 202

                assert story_answers() == (0, 4)
                assert story_answers() == (4, 0)
                assert "writes/new-1" not in client.get("/api/search", params={"q": "Portmere"}).text
                post("writes/new-1", TEXT)  # a new article: in no story until the worker groups it
                assert story_answers() == (4, 0)
                # answers that list articles are made again: the new one is found at once
                assert client.get("/api/articles/writes/new-1").status_code == 200
                assert "writes/new-1" in client.get("/api/search", params={"q": "Portmere"}).text
                # a post that changes a stored article (a story's member): the story answers are made again
                post(member.id, member.text, title="A new title for a stored article")
                assert story_answers() == (0, 4)
                assert story_answers() == (4, 0)
        finally:
            store.close()


@pytest.mark.postgres
def test_a_save_that_commits_after_a_later_one_changes_the_generations(tmp_path: Path) -> None:
    """On PostgreSQL a save takes its run id when it inserts its run: a worker's save (id N) can commit after a
    post (id N+1). The cached answers must still be made again once it lands."""
    from datetime import UTC, datetime

    from storyline.store.tables import RunRow

    with fresh_database("postgres", tmp_path) as url, Store.open(url) as store:
        store.jobs.submit([article(0)])
        with store.session() as worker_save:  # stands in for save_digest's transaction: its run first
            worker_save.add(RunRow(kind="digest", started_at=datetime.now(UTC).replace(tzinfo=None), stats={},
                                   saved={}))
            worker_save.flush()
            store.jobs.submit([article(1)])  # a post commits meanwhile, with the higher run id
            before = (store.generation(), store.story_generation())
        after = (store.generation(), store.story_generation())
        assert after[0] != before[0] and after[0][0] == before[0][0]  # the latest id is the same, the count not
        assert after[1] != before[1]  # the landed save could change stories: their answers are made again
        store.jobs.submit([article(2)])  # a post of new articles only: the story answers stay
        assert store.story_generation() == after[1] and store.generation() != after[0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_group_saves_its_posts_as_if_one_after_the_other(backend: str, tmp_path: Path) -> None:
    """One statement per table for a group (``Store.upsert_posts``): an article given by two posts of one group ends
    as the later one gave it, counted new for the first and updated for the second; each post keeps its job."""
    with fresh_database(backend, tmp_path) as url, Store.open(url) as store:
        store.jobs.submit([article(0)])  # stored before: the group updates it
        changed = Article(id="post-0", text=f"{TEXT} Corrected.", source="writes-test", input="POST /api/articles")
        again = Article(id="post-1", text=f"{TEXT} Second copy.", source="writes-test", input="POST /api/articles")
        saved = store.jobs.submit_many([([article(1), article(2)], []), ([again, changed], []),
                                        ([article(3)], [Rejected("POST /api/articles (id x)", "too short")])])
        reports = [report for _, report in saved]
        assert [(r.articles_new, r.articles_updated, r.rejects_new) for r in reports] == [(2, 0, 0), (0, 2, 0),
                                                                                             (1, 0, 1)]
        assert len({r.run_id for r in reports}) == 3
        jobs = [job for job, _ in saved]
        with store.session() as s:
            rows = {r.id: (r.pending_job, r.text) for r in s.execute(select(ArticleRow.id, ArticleRow.pending_job,
                                                                            ArticleRow.text))}
        assert rows["post-0"] == (jobs[1], f"{TEXT} Corrected.") and rows["post-1"] == (jobs[1], again.text)
        assert rows["post-2"][0] == jobs[0] and rows["post-3"][0] == jobs[2]
        assert [store.jobs.get(j)["articles"] for j in jobs] == [2, 2, 1]
        from storyline.store.queries import search

        found = search(store, "corrected", 10, 0)
        assert [a["id"] for a in found["articles"]] == ["post-0"]
