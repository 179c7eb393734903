"""The one write path (storyline.service) over real SQLite and PostgreSQL stores, with real texts from ../shared/data.

watch rounds, API posts drained by the worker and `digest --db` runs over the same articles agree with one batch
digest and never lose or duplicate an article; the clustering state always matches the stored stories; a story
merged away redirects; two writers never work at once; a worker killed mid-batch loses nothing; watch fetches
feeds through ingest's fetcher (SSRF guard, robots.txt, size cap).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from loopback import Reply, serve, static
from storehelp import BACKENDS, fresh_database
from storyline import Article, Settings, digest
from storyline.cluster.state_store import load_state
from storyline.service import add_articles
from storyline.service.digest import digest_into_store
from storyline.service.regroup import regroup
from storyline.service.watch import WatchRound, watch, watch_round
from storyline.service.worker import drain, run_worker
from storyline.store import Store
from storyline.store.lock import WriterBusy
from storyline.web import create_app
from test_cluster import bcubed_f1, duc_articles

from conftest import DEMO, ROOT

# the comparison stage only fills story fields (its own tests cover it); the process pool is not needed for 100
SETTINGS = Settings(progress=False).with_overrides({"compare.enabled": False, "scale.engine": "local"})


def _articles() -> list[Article]:
    """Every third DUC 2003 document (30 real TDT events), in a fixed order, each a fresh copy."""
    return [Article(id=a.id.replace("/", "-"), text=a.text, language="en") for a in duc_articles(step=3)]


def _jsonl(path: Path, articles: list[Article]) -> None:
    import json

    path.write_text("".join(json.dumps({"id": a.id, "text": a.text, "language": a.language}) + "\n"
                            for a in articles), encoding="utf-8")


def _stored_groups(store: Store) -> list[list[str]]:
    return [story.article_ids for story in store.load_digest().stories]


def assert_consistent(store: Store, expected_ids: set[str]) -> None:
    """Every article in exactly one stored story, none pending, and the clustering state says the same."""
    stories = store.load_digest().stories
    members = [aid for story in stories for aid in story.article_ids]
    assert len(members) == len(set(members)), "an article is in two stories"
    assert set(members) == expected_ids, "an article was lost or is unexpected"
    assert store.counts()["articles"] == len(expected_ids) and store.counts()["pending"] == 0
    state = load_state(store, SETTINGS.cluster)
    assert set(state.stories) == {story.id for story in stories}
    for story in stories:
        assert sorted(state.members_with_duplicates(story.id)) == sorted(story.article_ids), story.id


@pytest.mark.parametrize("backend", BACKENDS)
def test_watch_api_and_digest_db_interleaved_agree_with_one_batch_digest(backend: str, tmp_path: Path) -> None:
    articles = _articles()
    batch = digest(_articles(), settings=SETTINGS)
    reference = {aid: story.id for story in batch.stories for aid in story.article_ids}
    parts = [articles[i::4] for i in range(4)]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with fresh_database(backend, tmp_path) as url, Store.open(url) as store:
        _jsonl(inbox / "part0.jsonl", parts[0])  # a watch round over a folder (JSONL keeps ids and texts as given)
        first = watch_round(store, [str(inbox)], [], SETTINGS)
        assert first.articles == len(parts[0]) and first.error is None
        assert_consistent(store, {a.id for a in parts[0]})
        # the second part posted to the API twice (two jobs): the same ids, never duplicated
        client = TestClient(create_app(store, SETTINGS.with_overrides({"web.token": "t", "web.worker": False})))
        body = {"articles": [{"id": a.id, "text": a.text} for a in parts[1]]}
        for _ in range(2):
            assert client.post("/api/articles", json=body, headers={"authorization": "Bearer t"}).status_code == 202
        assert drain(store, SETTINGS).jobs == 2
        # digest --db of the third part (and the second again: already stored, nothing new)
        _, saved = digest_into_store(store, [], SETTINGS, articles=[*parts[2], *parts[1]])
        assert saved.articles_new == len(parts[2])
        # a second watch round: the fourth part as new files, the first files unchanged
        _jsonl(inbox / "part3.jsonl", parts[3])
        last = watch_round(store, [str(inbox)], [], SETTINGS)
        assert last.articles == len(parts[3]) and last.files == 1
        assert_consistent(store, {a.id for a in articles})
        f1 = bcubed_f1(_stored_groups(store), reference)
    assert f1 >= 0.98, f1


@pytest.mark.parametrize("backend", BACKENDS)
def test_digest_db_after_watch_and_watch_after_digest_db_load_one_consistent_state(backend: str,
                                                                                   tmp_path: Path) -> None:
    articles = _articles()[:40]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    jsonl = tmp_path / "more.jsonl"
    _jsonl(jsonl, articles[20:30])
    with fresh_database(backend, tmp_path) as url:
        for article in articles[:20]:
            (inbox / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
        with Store.open(url) as store:
            watch_round(store, [str(inbox)], [], SETTINGS)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "STORYLINE_COMPARE_ENABLED": "false",
               "STORYLINE_SCALE_ENGINE": "local"}
        cli = [sys.executable, "-m", "storyline.cli"]
        subprocess.run([*cli, "digest", str(jsonl), "--db", url, "-q"], check=True, env=env, timeout=600)
        for article in articles[30:]:
            (inbox / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
        subprocess.run([*cli, "watch", str(inbox), "--db", url, "--rounds", "1", "-q"], check=True, env=env,
                       timeout=600)
        with Store.open(url) as store:
            expected = {f"{a.id}.txt" for a in (*articles[:20], *articles[30:])} | {a.id for a in articles[20:30]}
            assert_consistent(store, expected)
            assert [r["kind"] for r in store.runs()][:3] == ["watch", "digest", "watch"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_story_merged_away_redirects_on_pages_api_and_feeds(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url, Store.open(url) as store:
        digest_into_store(store, [str(DEMO)], SETTINGS)
        before = {story.id: set(story.article_ids) for story in store.load_digest().stories}
        client = TestClient(create_app(store, SETTINGS.with_overrides({"web.worker": False})))
        feed = client.get("/feed.xml").text
        # a maintenance regroup with a looser threshold joins stories: the ones that lose their id are merges
        regroup(store, SETTINGS.with_overrides({"cluster.threshold": 1.9}))
        after = {story.id: set(story.article_ids) for story in store.load_digest().stories}
        gone = sorted(set(before) - set(after))
        assert gone, "the looser threshold merged no story"
        for old in gone:
            into = store.merged_into(old)
            assert into in after and before[old] <= after[into]
            page = client.get(f"/stories/{old}", follow_redirects=False)
            assert page.status_code == 301 and page.headers["location"] == f"/stories/{into}"
            api = client.get(f"/api/stories/{old}", follow_redirects=False)
            assert api.status_code == 301 and api.headers["location"] == f"/api/stories/{into}"
            assert api.json()["merged_into"] == into and api.json()["id"] == old
            assert client.get(f"/api/stories/{old}").json()["id"] == into  # followed: the surviving story
            assert client.get(f"/stories/{old}/live", follow_redirects=False).headers["location"] == \
                f"/stories/{into}/live"
            assert f"/stories/{old}" in feed  # a feed entry readers saved keeps answering
        assert client.get("/api/stories/never-was", follow_redirects=False).status_code == 404
        assert_consistent(store, set().union(*before.values()))


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_writers_never_work_at_once(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url, Store.open(url) as first, Store.open(url) as second:
        held, release = threading.Event(), threading.Event()

        def hold() -> None:
            with first.writer(holder="test writer"):
                held.set()
                release.wait(60)

        thread = threading.Thread(target=hold)
        thread.start()
        assert held.wait(30)
        busy = pytest.raises(WriterBusy, match=r"another writer is working on this store \(test writer, pid")
        with busy, second.writer(holder="second", wait=0):
            pass
        quick = SETTINGS.with_overrides({"live.writer_wait": 0.5})
        with pytest.raises(WriterBusy):
            add_articles(second, [Article(id="x1", text="A dam broke in Lowtown on Monday, flooding homes.")], quick)
        assert second.counts()["articles"] == 0  # nothing half-done
        # a `digest --db` in another process waits for the writer, says so, and then does its work
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "STORYLINE_COMPARE_ENABLED": "false",
               "STORYLINE_SCALE_ENGINE": "local"}
        process = subprocess.Popen([sys.executable, "-m", "storyline.cli", "digest", str(DEMO), "--db", url],
                                   env=env, stderr=subprocess.PIPE, text=True)
        said: list[str] = []
        reader = threading.Thread(target=lambda: said.extend(iter(process.stderr.readline, "")))  # type: ignore[union-attr]
        reader.start()
        waiting = "waiting for the other writer of this store to finish (test writer, pid"
        deadline = time.monotonic() + 300  # start-up and reading take a while on a loaded machine: wait for the line
        while not any(waiting in line for line in said) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert process.poll() is None, "the second writer did not wait: " + "".join(said)
        assert any(waiting in line for line in said), "".join(said)
        time.sleep(2)
        assert process.poll() is None and first.counts()["articles"] == 0  # still waiting, nothing written
        release.set()
        thread.join()
        process.wait(timeout=600)
        reader.join()
        assert process.returncode == 0, "".join(said)
        assert first.counts()["articles"] == 18


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_9_of_the_worker_mid_batch_loses_nothing(backend: str, tmp_path: Path) -> None:
    articles = _articles()
    config = tmp_path / "worker.toml"
    config.write_text("[live]\nbatch_size = 20\nmax_batch_size = 20\n"  # the kill lands between two batches
                      "[compare]\nenabled = false\n[scale]\nengine = \"local\"\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with fresh_database(backend, tmp_path) as url, Store.open(url) as store:
        job, _ = store.jobs.submit(articles, kind="api")
        worker = [sys.executable, "-m", "storyline.cli", "worker", "--db", url, "--once", "--config", str(config)]
        process = subprocess.Popen(worker, env=env, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while store.jobs.get(job)["grouped"] == 0:  # wait for the first committed batch
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        killed = store.jobs.get(job)
        assert killed["state"] == "running" and 0 < killed["grouped"] < len(articles)
        assert store.counts()["articles"] == len(articles)  # stored at submit: nothing lost
        subprocess.run(worker, env=env, check=True, timeout=600, capture_output=True)
        done = store.jobs.get(job)
        assert done["state"] == "done" and done["grouped"] == len(articles) and done["attempts"] == 2
        assert_consistent(store, {a.id for a in articles})


def test_watch_reads_feeds_through_the_fetcher(tmp_path: Path) -> None:
    entry = "<item><title>Dam breaks</title><link>{base}/story.html</link><description>{text}</description></item>"
    text = "A dam broke in Lowtown on Monday, flooding ten homes near the river, officials said. " * 3
    teaser = "Dam breaks in Lowtown."
    page = "<html><body><article><h1>Dam breaks</h1>" + "<p>" + text * 4 + "</p></article></body></html>"

    def feed(body: str) -> object:
        return lambda request, seen: Reply(200, (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Lowtown Post</title>{body}</channel></rss>'
        ).encode(), {"Content-Type": "application/rss+xml"})

    routes = {"/robots.txt": static("User-agent: *\nDisallow: /private/\n", "text/plain"),
              "/story.html": static(page), "/huge.xml": static(b"<rss>" + b"x" * 200_000 + b"</rss>",
                                                               "application/rss+xml")}
    with serve(routes) as site, Store.open(tmp_path / "w.db") as store:
        site.routes["/feed.xml"] = feed(entry.format(base=site.base, text=teaser))
        site.routes["/private/feed.xml"] = feed(entry.format(base=site.base, text=text))
        feeds = [f"{site.base}/feed.xml", f"{site.base}/private/feed.xml", f"{site.base}/huge.xml"]
        refused = watch_round(store, [], feeds[:1], SETTINGS)  # loopback is a private address: refused by default
        assert refused.articles == 0 and "refused by the SSRF guard" in refused.rejected[0].reason
        assert site.hits("/feed.xml") == 0
        allowed = SETTINGS.with_overrides({"fetch.allow_private_hosts": True, "fetch.host_delay": 0.0,
                                           "fetch.cache_dir": str(tmp_path / "cache"), "fetch.max_bytes": 100_000})
        result = watch_round(store, [], feeds, allowed)
        reasons = {r.input: r.reason for r in result.rejected}
        assert reasons[feeds[1]] == "disallowed by robots.txt; set fetch.respect_robots=false only for your own sites"
        assert "over fetch.max_bytes=100,000" in reasons[feeds[2]]
        assert result.articles == 1 and result.error is None
        stored = store.article(f"{site.base}/story.html")
        assert stored.meta.get("fetched") is True and len(stored.text) > len(teaser)  # the teaser's page was read
        assert store.counts()["pending"] == 0 and store.counts()["stories"] == 1


def test_an_id_given_twice_in_one_batch_is_kept_once_and_the_copy_counted(tmp_path: Path) -> None:
    text = "A dam broke in Lowtown on Monday, flooding ten homes near the river, officials said."
    with Store.open(tmp_path / "d.db") as store:
        saved = add_articles(store, [Article(id="a", text=text), Article(id="a", text=text + " Again.")], SETTINGS)
        assert saved.articles_new == 1 and saved.rejects_new == 1
        assert store.rejects()[0][0]["reason"].startswith("duplicate id, first read from")
        assert_consistent(store, {"a"})


def test_a_long_queue_is_drained_in_bigger_batches(tmp_path: Path) -> None:
    """live.batch_size while few articles wait, everything waiting up to live.max_batch_size when more do."""
    articles = _articles()[:25]
    settings = SETTINGS.with_overrides({"live.batch_size": 5, "live.max_batch_size": 20})
    with Store.open(tmp_path / "queue.db") as store:
        for i in range(0, len(articles), 3):
            store.jobs.submit(articles[i : i + 3], kind="api")
        assert store.jobs.waiting() == 25
        done = drain(store, settings)
        assert done.articles == 25 and done.failed == 0 and store.jobs.waiting() == 0
        sizes = [run["stats"]["inputs"] for run in reversed(store.runs(limit=100)) if run["kind"] == "worker"]
        assert sizes == [20, 5]
        assert_consistent(store, {a.id for a in articles})


def test_the_worker_keeps_its_pool_processes_from_one_drain_to_the_next(tmp_path: Path) -> None:
    """`storyline worker` (run_worker without an executor) opens its pool once: the processes that hold the loaded
    models and kept model outputs serve the next burst of posts too, not a fresh pool per drain."""
    import psutil

    articles = _articles()[:12]
    settings = SETTINGS.with_overrides({"scale.engine": "process", "scale.workers": 2, "scale.min_parallel": 1,
                                        "summary.verifier": "static", "live.poll_seconds": 0.05})
    me, stop = psutil.Process(), threading.Event()

    def idle_after(job: int) -> set[int]:  # the job done, then a few polls of an empty queue
        deadline = time.monotonic() + 120
        while store.jobs.get(job)["state"] != "done":
            assert time.monotonic() < deadline, store.jobs.get(job)
            time.sleep(0.05)
        time.sleep(0.5)
        return {child.pid for child in me.children(recursive=True)}

    with Store.open(tmp_path / "worker.db") as store:
        worker = threading.Thread(target=run_worker, args=(store, settings), kwargs={"stop": stop})
        worker.start()
        try:
            first = idle_after(store.jobs.submit(articles[:6], kind="api")[0])
            second = idle_after(store.jobs.submit(articles[6:], kind="api")[0])
        finally:
            stop.set()
            worker.join(60)
        assert len(first) >= 3 and first == second  # the fork server and the 2 workers, the same processes
        assert_consistent(store, {a.id for a in articles})


def test_watch_describes_on_one_pool_for_every_round(tmp_path: Path) -> None:
    """`storyline watch` opens the executor once: each round's touched stories go to the same pool processes."""
    import psutil

    articles = _articles()[:12]
    settings = SETTINGS.with_overrides({"scale.engine": "process", "scale.workers": 2, "scale.min_parallel": 1,
                                        "summary.verifier": "static", "watch.interval": 0})
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _jsonl(inbox / "part0.jsonl", articles[:6])
    me, rounds = psutil.Process(), []

    def report(result: WatchRound) -> None:  # after each round: its pool processes; then the next file arrives
        rounds.append((result.articles, {child.pid for child in me.children(recursive=True)}))
        _jsonl(inbox / "part1.jsonl", articles[6:])

    with Store.open(tmp_path / "watch.db") as store:
        watch(store, [str(inbox)], [], settings, rounds=2, report=report)
        assert_consistent(store, {a.id for a in articles})
    assert [count for count, _ in rounds] == [6, 6]
    assert len(rounds[0][1]) >= 3 and rounds[0][1] == rounds[1][1]  # the fork server and the 2 workers, kept


def test_the_worker_groups_small_jobs_together_in_one_batch(tmp_path: Path) -> None:
    """Posts of a few articles each share a batch (one grouping save), and a batch never exceeds live.batch_size."""
    articles = _articles()[:25]
    settings = SETTINGS.with_overrides({"live.batch_size": 10, "live.max_batch_size": 10})
    with Store.open(tmp_path / "jobs.db") as store:
        jobs = [store.jobs.submit(articles[i : i + 3], kind="api")[0] for i in range(0, len(articles), 3)]
        done = drain(store, settings)
        assert done.jobs == len(jobs) == 9 and done.failed == 0 and done.articles == len(articles)
        grouping = [run for run in store.runs(limit=100) if run["kind"] == "worker"]
        assert len(grouping) == 3  # 25 articles in batches of at most 10 (not one save per job: 9)
        assert all(run["stats"]["inputs"] <= 10 for run in grouping)
        batches: dict[int, dict] = {}
        for job in jobs:
            state = store.jobs.get(job)
            assert state["state"] == "done" and state["grouped"] == state["articles"]
            assert state["saved"]["batches"], "a job says which batches grouped it and what they took"
            batches.update((batch["run_id"], batch) for batch in state["saved"]["batches"])
        assert sorted(batches) == sorted(run["id"] for run in grouping)
        assert sorted(b["articles"] for b in batches.values()) == [5, 10, 10]
        for batch in batches.values():  # the grouping save is a write transaction, inside the batch's time
            assert batch["write_transactions"] >= 1
            assert 0 < batch["write_lock_max"] <= batch["write_lock_total"] <= batch["seconds"]
        assert_consistent(store, {a.id for a in articles})


def test_storylines_grouped_while_the_stories_are_described_match_describe_then_group(tmp_path: Path) -> None:
    """The live path describes the touched stories in a thread while it groups them into storylines
    (``GroupStorylines(describe=...)``): the stories, the storylines (headlines and lead sentences of the described
    stories) and the storyline rows are those of describing first and grouping after, batch after batch."""
    import re
    from datetime import UTC, datetime

    from storyline.cluster.storyline_rows import stored_storylines
    from storyline.pipeline import (
        ClusterStories,
        DescribeStories,
        FindDuplicates,
        GroupStorylines,
        SplitSentences,
        run_pipeline,
    )
    from storyline.serialize import story_to_dict

    def dated(article: Article) -> Article:
        day = re.search(r"(\d{8})\.", article.id)
        article.published = datetime.strptime(day.group(1), "%Y%m%d").replace(tzinfo=UTC) if day else None
        return article

    def then_group(store: Store, batch: list[Article]) -> None:  # group_into_store with the stages one by one
        cluster = ClusterStories(rows=store, load_articles=store.articles)
        stages = [SplitSentences(), FindDuplicates(stored=store), cluster, DescribeStories(),
                  GroupStorylines(rows=store, cluster=cluster)]
        with store.writer(holder="test"), store.deferred_blobs():
            result = run_pipeline(batch, settings, inputs=len(batch), stages=stages,
                                  stored_outlets=store.source_names())
            store.save_digest(result, kind="test", merges=cluster.merges)

    def seen(store: Store) -> tuple[list[dict], list[dict], dict]:
        stories = sorted((story_to_dict(s) for s in store.load_digest().stories), key=lambda d: d["id"])
        lines = [store.storyline_body(line) for line in store.storyline_ids()]
        rows = stored_storylines(store)
        return stories, lines, {sid: (p.to_json(), rows.storyline_of[sid]) for sid, p in rows.profiles.items()}

    settings = SETTINGS.with_overrides({"summary.verifier": "static"})  # the grouping is the point, not MiniLM
    batches = [[dated(a) for a in _articles()[:60][i::3]] for i in range(3)]
    with Store.open(tmp_path / "overlap.db") as overlapped, Store.open(tmp_path / "sequential.db") as sequential:
        for number, batch in enumerate(batches):
            add_articles(overlapped, batch, settings)
            then_group(sequential, [dated(Article(id=a.id, text=a.text, language="en")) for a in batch])
            got, expected = seen(overlapped), seen(sequential)
            assert got[0] == expected[0], f"batch {number}: stories differ"
            assert got[1] == expected[1], f"batch {number}: storylines differ"
            assert got[2] == expected[2], f"batch {number}: storyline rows differ"
        assert any(len(line["story_ids"]) >= 2 for line in got[1]), "no storyline of two stories: nothing compared"
        assert all(line["headline"] for line in got[1])


def test_a_batch_writes_its_own_articles_not_the_earlier_members_it_read(tmp_path: Path) -> None:
    """The earlier members of the stories a batch touches are read to describe them; the save writes the batch's
    articles and the stories, and only links the earlier members (their rows, ~40 KB of text per member at 100k,
    were updated with the same values on every batch before)."""
    from sqlalchemy import event

    articles = _articles()[:30]
    settings = SETTINGS.with_overrides({"summary.verifier": "static", "storylines.enabled": False})
    with Store.open(tmp_path / "members.db") as store:
        add_articles(store, articles[::2], settings)
        written: list[str] = []

        def watch(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            if statement.lstrip().upper().startswith(("UPDATE ARTICLES", "INSERT INTO ARTICLES")) and \
                    "text" in statement:
                rows = parameters if executemany else [parameters]
                written.extend(str(value) for row in rows for value in (row if isinstance(row, (list, tuple))
                                                                         else row.values()))

        event.listen(store.engine, "before_cursor_execute", watch)
        saved = add_articles(store, articles[1::2], settings)
        event.remove(store.engine, "before_cursor_execute", watch)
        assert saved.articles_new == len(articles[1::2]) and saved.stories_changed >= 1
        assert {a.id for a in articles[1::2]} <= set(written)
        assert not {a.id for a in articles[::2]} & set(written), "an earlier member's row was written again"
        assert_consistent(store, {a.id for a in articles})


def test_a_story_s_duplicates_travel_to_the_describe_without_their_text(tmp_path: Path) -> None:
    """The describe reads a story's originals only (summary, comparison; its coverage counts the duplicates by
    their metadata), so the duplicates are shipped to the workers without their text (``shipped_members``): at
    100k a touched story holds many copies. The story described from the shipped members is the story described
    from the whole ones (compare on, real models), and the stage ships no duplicate's text."""
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from storyline.models import Story
    from storyline.pipeline import DescribeStories, LocalExecutor, RunState, describe_members, shipped_members
    from storyline.serialize import story_to_dict

    settings = Settings(progress=False).with_overrides({"summary.verifier": "static"})
    topic = duc_articles(step=1)[:6]  # one DUC 2003 cluster: one event
    day = datetime(1998, 10, 1, 12, tzinfo=UTC)
    originals = [Article(id=f"o{i}", text=a.text, language="en", source=f"outlet{i % 3}",
                         published=day + timedelta(hours=i)) for i, a in enumerate(topic)]
    copies = [Article(id=f"c{i}", text=o.text if i % 2 else o.text[: len(o.text) * 2 // 3], language="en",
                      source=f"wire{i}", published=day + timedelta(days=1, hours=i), duplicate_of=o.id,
                      meta={"groups": ["wires"]}) for i, o in enumerate(originals)]
    members = originals + copies
    shipped = shipped_members(members)
    assert [a.id for a in shipped] == [a.id for a in members]
    assert all(a.text == "" for a in shipped if a.duplicate_of) and all(a.text for a in shipped[:6])
    assert all(a.text for a in members), "the run's own articles keep their text"

    def described(of: list[Article]) -> dict:
        story = Story(id="s1", headline="", article_ids=sorted(a.id for a in of))
        fresh = [replace(a, sentences=[]) for a in of]
        return story_to_dict(describe_members((story, fresh), settings.summary, settings.compare, ("wires",)))

    whole, light = described(members), described(shipped)
    assert whole == light
    assert whole["summary"] and whole["coverage"]["outlets"], "nothing described: nothing compared"
    assert len(whole["coverage"]["outlets"]) == 3 + 6, "the copies' outlets count in the coverage"

    given: list = []

    class Recording(LocalExecutor):  # the real in-process executor, keeping what it was given
        def map(self, fn, items, desc="", *, min_items=None, affinity=None):  # type: ignore[no-untyped-def]
            given[:] = items
            return super().map(fn, items, desc, min_items=min_items, affinity=affinity)

    state = RunState(settings=settings, articles=[replace(a, sentences=[]) for a in members],
                     stories=[Story(id="s1", headline="", article_ids=sorted(a.id for a in members))])
    DescribeStories().run(state, Recording(progress=False))
    (_, sent), = given
    assert {a.id for a in sent if not a.text} == {a.id for a in copies}
    assert story_to_dict(state.stories[0]) == whole
