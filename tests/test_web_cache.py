"""Kept answers (web/cache.py): served from the event loop while current, never after a save (by this process or
another one: the worker is a process of its own), ETag/304, the read rule kept, one making of an answer at a time,
and the generation reads shared by the requests waiting (SQLite and a real PostgreSQL server)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from storehelp import BACKENDS, demo_digest, fresh_database
from storyline import Settings
from storyline.store import Store
from storyline.web import create_app
from storyline.web.cache import Generations


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path):
    with fresh_database(request.param, tmp_path) as url:
        yield url


def test_a_save_by_another_process_shows_at_once_and_changes_the_etag(url: str) -> None:
    result = demo_digest()
    with Store.open(url) as served, Store.open(url) as worker:  # the worker: its own engine and connections
        worker.save_digest(result)
        app = create_app(served)
        client = TestClient(app)
        story = result.stories[0]
        word = story.headline.split()[0]
        paths = [f"/stories/{story.id}", f"/api/stories/{story.id}", "/", "/api/stories", f"/api/search?q={word}"]
        first = {p: client.get(p) for p in paths}
        assert all(r.status_code == 200 and r.headers["etag"] for r in first.values())
        again = {p: client.get(p, headers={"if-none-match": first[p].headers["etag"]}) for p in paths}
        assert {p: r.status_code for p, r in again.items()} == dict.fromkeys(paths, 304)
        assert all(r.content == b"" and r.headers["etag"] == first[p].headers["etag"] for p, r in again.items())
        hits = app.state.cache.hits
        assert client.get(paths[0]).text == first[paths[0]].text and app.state.cache.hits == hits + 1

        story.headline = "Headline saved by another process"
        worker.save_digest(result)
        after = {p: client.get(p, headers={"if-none-match": first[p].headers["etag"]}) for p in paths[:4]}
        assert {p: r.status_code for p, r in after.items()} == dict.fromkeys(paths[:4], 200)
        assert all("Headline saved by another process" in r.text for r in after.values())
        assert all(r.headers["etag"] != first[p].headers["etag"] for p, r in after.items())
        assert after[paths[1]].json()["headline"] == "Headline saved by another process"


def test_a_kept_answer_is_not_given_to_a_host_that_may_not_read(url: str) -> None:
    with Store.open(url) as store:
        store.save_digest(demo_digest())
        app = create_app(store, Settings().with_overrides({"web.token": "s3cret"}))
        assert TestClient(app).get("/api/stories").status_code == 200  # kept, from loopback
        remote = TestClient(app, client=("203.0.113.9", 5555))
        hits = app.state.cache.hits
        assert remote.get("/api/stories").status_code == 401
        assert remote.get("/api/stories", headers={"if-none-match": "*"}).status_code == 401
        assert app.state.cache.hits == hits
        assert remote.get("/api/stories", headers={"authorization": "Bearer s3cret"}).status_code == 200
        assert app.state.cache.hits == hits + 1


def test_requests_for_one_answer_make_it_once(url: str) -> None:
    with Store.open(url) as store:
        store.save_digest(demo_digest())
        app = create_app(store)

        async def at_once() -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1234))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return list(await asyncio.gather(*(client.get("/") for _ in range(12))))

        answers = asyncio.run(at_once())
        assert {r.status_code for r in answers} == {200} and len({r.text for r in answers}) == 1
        assert (app.state.cache.misses, app.state.cache.hits) == (1, 11)


def test_generation_reads_are_shared_and_each_begins_after_its_requests(url: str) -> None:
    """While one read runs, every request that arrives waits for the next one, which starts after them: 30
    requests cost 2 reads, and a save committed before a request is always seen by it."""
    with Store.open(url) as store, Store.open(url) as worker:
        worker.save_digest(demo_digest())
        reads: list[float] = []
        release = threading.Event()
        real = store.generations

        def generations() -> tuple[tuple[int, int], int]:
            reads.append(time.perf_counter())
            value = real()
            if len(reads) == 1:
                assert release.wait(30)  # the first read is slow to come back: requests pile up behind it
            return value

        store.generations = generations  # type: ignore[method-assign]
        watch = Generations(store)

        async def scenario() -> tuple[object, list[object], float]:
            first = asyncio.ensure_future(watch.fresh())
            while not reads:
                await asyncio.sleep(0.01)
            await asyncio.to_thread(worker.save_digest, demo_digest())  # committed while the first read runs
            saved = time.perf_counter()
            later = [asyncio.ensure_future(watch.fresh()) for _ in range(30)]
            release.set()
            return await first, list(await asyncio.gather(*later)), saved

        try:
            first, later, saved = asyncio.run(scenario())
        finally:
            watch.close()
        assert len(reads) == 2 and reads[1] > saved
        assert len({repr(g) for g in later}) == 1
        assert later[0] == real() and later[0] != first  # the save is seen by every request after it


def test_the_story_cards_one_group_column_is_filled_from_the_bodies(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import select

    from storyline.store import migrate
    from storyline.store.tables import StoryRow

    with Store.open(tmp_path / "m.db") as store:
        store.save_digest(demo_digest())
        with store.session() as s:
            saved = dict(s.execute(select(StoryRow.id, StoryRow.one_group)).all())
            bodies = {sid: (body.get("coverage") or {}).get("one_group")
                      for sid, body in s.execute(select(StoryRow.id, StoryRow.body))}
        assert saved == bodies and any(saved.values())  # the demo's groups: a story covered by one group only
        config = migrate.alembic_config()
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0006")
    with Store.open(tmp_path / "m.db") as store:  # opening migrates: the column again, filled from the bodies
        with store.session() as s:
            assert dict(s.execute(select(StoryRow.id, StoryRow.one_group)).all()) == saved
        client = TestClient(create_app(store))
        blind = client.get("/api/stories", params={"blindspot": "true"}).json()["items"]
        assert {c["id"] for c in blind} == {sid for sid, group in saved.items() if group}
        assert all(c["one_group"] == saved[c["id"]] for c in blind)
