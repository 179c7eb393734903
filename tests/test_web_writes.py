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
