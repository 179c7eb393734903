"""The JSON API, pages, feeds, exports and access rules, over SQLite and a real PostgreSQL server."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from fastapi.testclient import TestClient

from storehelp import BACKENDS, XSS_TITLE, filled_store, fresh_database
from storyline import Settings
from storyline.output.json import digest_to_dict, load_schema
from storyline.store import Store
from storyline.web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module", params=BACKENDS)
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with fresh_database(request.param, tmp_path_factory.mktemp("web")) as url:
        store, everything = filled_store(url)
        client = TestClient(create_app(store, Settings().with_overrides({"web.page_size": 3})))
        yield client, everything
        store.close()


def test_story_list_pages_through_every_story(filled) -> None:
    client, everything = filled
    seen, offset = [], 0
    while offset is not None:
        page = client.get("/api/stories", params={"offset": offset}).json()
        assert page["total"] == len(everything.stories) and len(page["items"]) <= 3
        seen += [item["id"] for item in page["items"]]
        offset = page["next_offset"]
    assert sorted(seen) == sorted(s.id for s in everything.stories)
    big = client.get("/api/stories", params={"sort": "biggest", "limit": 500}).json()["items"]
    assert [s["size"] for s in big] == sorted((len(s.article_ids) for s in everything.stories), reverse=True)
    assert client.get("/api/stories", params={"limit": 0}).status_code == 422
    assert client.get("/api/stories", params={"sort": "random"}).status_code == 422


def test_story_has_the_fields_of_stories_json(filled) -> None:
    client, everything = filled
    schema = load_schema()
    item_schema = {**schema["properties"]["stories"]["items"], "$defs": schema["$defs"]}
    expected = {s["id"]: s for s in digest_to_dict(everything)["stories"]}
    for story_id, want in expected.items():
        got = client.get(f"/api/stories/{story_id}").json()
        jsonschema.validate(got, item_schema)
        assert got.pop("version") >= 1 and got.pop("updated_at")
        assert got == want
    assert client.get("/api/stories/s-none").status_code == 404


def test_article_endpoint_gives_text_and_citing_summaries(filled) -> None:
    client, everything = filled
    story = next(s for s in everything.stories if len(s.article_ids) > 2)
    citation = story.summary[0].citations[0]
    article = client.get(f"/api/articles/{citation.article_id}").json()
    assert article["text"] == everything.article(citation.article_id).text
    assert article["story_id"] == story.id
    cited = everything.article(citation.article_id).text[citation.start : citation.end]
    assert {"story_id": story.id, "position": 0, "start": citation.start, "end": citation.end,
            "text": cited} in article["cited_by"]
    assert client.get("/api/articles/valley-courier/2026-09-16-quarry-lane-fire.txt").status_code == 200
    assert client.get("/api/articles/nope").status_code == 404
    listed = client.get("/api/articles", params={"source": "Harbor Ledger", "limit": 500}).json()
    assert listed["total"] == sum(1 for a in everything.articles if a.source == "Harbor Ledger") > 0


def test_search_sources_entities_status(filled) -> None:
    client, everything = filled
    found = client.get("/api/search", params={"q": "mussel", "limit": 1}).json()
    assert found["stories_total"] >= 1 and len(found["stories"]) == 1
    assert found["articles_total"] == sum(1 for a in everything.articles if "mussel" in (a.title or "" + a.text).lower()
                                          or "mussel" in a.text.lower())
    assert client.get("/api/search").status_code == 422
    sources = client.get("/api/sources", params={"limit": 500}).json()
    assert sources["total"] == len({a.source_name for a in everything.articles})
    entities = client.get("/api/entities").json()
    assert "Lena Ortiz" in {e["name"] for e in entities["items"]} or entities["next_offset"]
    status = client.get("/api/status").json()
    assert status["counts"]["articles"] == len(everything.articles) and status["runs"]
    rejects = client.get("/api/rejects").json()
    assert rejects["total"] == 1 and "pass --format html" in rejects["items"][0]["reason"]


def test_history_and_version(filled) -> None:
    client, everything = filled
    story_id = everything.stories[0].id
    assert client.get(f"/api/stories/{story_id}/version").json()["version"] == 1
    history = client.get(f"/api/stories/{story_id}/history").json()
    assert history["total"] == 1 and history["items"][0]["headline"] == everything.stories[0].headline


def test_exports(filled) -> None:
    client, everything = filled
    story = next(s for s in everything.stories if len(s.article_ids) > 2)
    data = client.get(f"/api/stories/{story.id}/export", params={"format": "json"}).json()
    assert data["story"]["id"] == story.id and len(data["articles"]) == len(story.article_ids)
    markdown = client.get(f"/api/stories/{story.id}/export", params={"format": "md"})
    assert markdown.headers["content-type"].startswith("text/markdown") and story.headline in markdown.text
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/stories/{story.id}/export?format=csv").text)))
    assert len(rows) == sum(len(s.citations) for s in story.summary)
    for row in rows:
        assert row["cited_text"] == everything.article(row["article_id"]).text[int(row["start"]):int(row["end"])]
    found = list(csv.DictReader(io.StringIO(client.get("/api/search/export?q=fire&format=csv").text)))
    assert found and all(row["story_id"] for row in found)
    assert "# Stories matching" in client.get("/api/search/export?q=fire&format=md").text
    assert client.get(f"/api/stories/{story.id}/export?format=pdf").status_code == 422


def test_atom_feeds(filled) -> None:
    client, everything = filled
    feed = ET.fromstring(client.get("/feed.xml").content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(everything.stories)
    assert {e.find(f"{ATOM}title").text for e in entries} == {s.headline for s in everything.stories}
    source_feed = ET.fromstring(client.get("/sources/Harbor Ledger/feed.xml").content)
    want = {s.id for s in everything.stories
            if any(everything.article(a).source == "Harbor Ledger" for a in s.article_ids)}
    assert {e.find(f"{ATOM}id").text.rsplit("/", 1)[1] for e in source_feed.findall(f"{ATOM}entry")} == want
    entity_feed = ET.fromstring(client.get("/entities/Lena Ortiz/feed.xml").content)
    assert len(entity_feed.findall(f"{ATOM}entry")) == 1


def test_pages_render(filled) -> None:
    client, everything = filled
    story = next(s for s in everything.stories if len(s.article_ids) > 2)
    citation = story.summary[0].citations[0]
    for path in ["/", "/?sort=biggest&source=Harbor+Ledger", "/?since=2026-09-15&until=2026-09-16",
                 f"/stories/{story.id}",
                 "/sources", "/sources/Harbor Ledger", "/entities", "/entities/Lena Ortiz", "/status", "/search?q=fire",
                 f"/stories/{story.id}/live", "/api/docs"]:
        response = client.get(path)
        assert response.status_code == 200, path
    page = client.get(f"/articles/{citation.article_id}", params={"start": citation.start, "end": citation.end}).text
    cited = everything.article(citation.article_id).text[citation.start:citation.end]
    assert f'<mark id="cited">{cited}</mark>' in page.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"')
    assert client.get("/stories/nope").status_code == 404
    assert client.get("/?since=yesterday").status_code == 400
    assert "since must be a date" in client.get("/?since=yesterday").text


def test_payloads_render_as_text(filled) -> None:
    client, everything = filled
    story = next(s for s in everything.stories if "xss-1" in s.article_ids)
    for path in [f"/stories/{story.id}", "/articles/xss-1", "/search?q=harbour+bridge", "/", "/sources"]:
        response = client.get(path)
        html = response.text
        assert "<script>window.__xss" not in html and "<img src=x onerror" not in html and "<svg onload" not in html
        assert "script-src 'self'" in response.headers["content-security-policy"]
    article_page = client.get("/articles/xss-1").text
    assert "&lt;script&gt;window.__xss" in article_page and "onerror=" in article_page
    assert 'href="javascript:' not in article_page
    markdown = client.get(f"/api/stories/{story.id}/export", params={"format": "md"}).text
    assert "Evil &lt;b&gt;Gazette&lt;/b&gt;" in markdown and "<" not in markdown
    feed = client.get("/feed.xml").text
    assert "<script>" not in feed and ET.fromstring(feed) is not None
    assert any(e.find(f"{ATOM}title").text == XSS_TITLE or "Harbour" in e.find(f"{ATOM}title").text
               for e in ET.fromstring(feed).findall(f"{ATOM}entry"))


@pytest.fixture(params=BACKENDS)
def writable(request: pytest.FixtureRequest, tmp_path):
    with fresh_database(request.param, tmp_path) as url, Store.open(url) as store:
        yield store


def _wait_for_job(client: TestClient, job: int, timeout: float = 300.0) -> dict:
    """Poll GET /api/jobs/{job} until the worker of the app has finished it (it runs niced: on a machine busy with
    other work it gets the CPU last)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        state = client.get(f"/api/jobs/{job}").json()
        if state["state"] in ("done", "failed"):
            return state
        assert time.monotonic() < deadline, f"job {job} still {state['state']} after {timeout} s"
        time.sleep(0.2)


def test_writing_needs_the_token(writable: Store) -> None:
    closed = TestClient(create_app(writable))
    assert closed.post("/api/ingest").status_code == 403
    app = create_app(writable, Settings().with_overrides({"web.token": "s3cret", "live.poll_seconds": 0.1}))
    body = {"articles": [
        {"id": "w1", "title": "Dam breaks in Lowtown", "text": "A dam broke in Lowtown on Monday, flooding ten homes.",
         "published": "2026-09-20T10:00:00+02:00", "source": "Lowtown Post"},
        {"id": "w2", "title": "Lowtown dam failure floods homes",
         "text": "The Lowtown dam broke on Monday and ten homes were flooded, officials said."},
        {"id": "w3", "text": "too short"},
        {"id": "w4", "text": "A perfectly long enough text about nothing in particular.", "published": "last week"},
    ]}
    with TestClient(app) as client:  # the context runs the app's lifespan: its worker process
        assert client.post("/api/articles", json=body).status_code == 401
        assert client.post("/api/articles", json=body,
                           headers={"authorization": "Bearer wrong"}).status_code == 401
        response = client.post("/api/articles", json=body, headers={"authorization": "Bearer s3cret"})
        assert response.status_code == 202
        result = response.json()
        assert result["accepted"] == 2 and len(result["rejected"]) == 2
        assert result["saved"]["articles_new"] == 2 and result["saved"]["rejects_new"] == 2
        assert response.headers["location"] == f"/api/jobs/{result['job']}"
        # what the POST spent where (bench/load.py reads it): the parts are measured, not made up
        timing = dict(part.split(";dur=") for part in response.headers["server-timing"].split(", "))
        assert set(timing) == {"wait", "check", "store"} and all(float(v) >= 0 for v in timing.values())
        assert float(timing["store"]) > 0
        job = _wait_for_job(client, result["job"])
        assert job["state"] == "done" and job["grouped"] == 2 and job["error"] is None
        assert client.get("/api/rejects").json()["total"] == 2
        stories = client.get("/api/stories").json()["items"]
        assert sum(s["size"] for s in stories) == 2
        assert client.get("/api/articles/w1").json()["published"] == "2026-09-20T10:00:00+02:00"
        status = client.get("/api/status").json()
        assert status["jobs"]["states"]["done"] == 1 and status["worker"]["alive"] is True
        # deferred grouping: saved now, grouped by the job POST /api/ingest makes
        later = {"articles": [{"id": "w5", "text": "Volunteers began clearing mud from Lowtown homes on Tuesday."}],
                 "group": False}
        assert client.post("/api/articles", json=later,
                           headers={"authorization": "Bearer s3cret"}).json()["job"] is None
        assert writable.counts()["pending"] == 1
        ingest = client.post("/api/ingest", headers={"authorization": "Bearer s3cret"})
        assert ingest.status_code == 202 and ingest.json()["pending"] == 1
        assert _wait_for_job(client, ingest.json()["job"])["state"] == "done"
        assert writable.counts()["pending"] == 0
        empty = client.post("/api/articles", json={"articles": []}, headers={"authorization": "Bearer s3cret"})
        assert empty.status_code == 422
        assert "Write jobs" in client.get("/status").text


def test_the_worker_is_a_niced_child_process_not_a_thread_of_the_server(writable: Store) -> None:
    """serve's worker runs beside the request threads, not among them (no shared interpreter lock), at lower
    priority; it stops with the app."""
    import os
    import threading
    import time

    app = create_app(writable, Settings().with_overrides({"web.token": "t", "live.poll_seconds": 0.1}))
    with TestClient(app):
        worker = app.state.worker
        assert worker.alive and worker.pid not in (None, os.getpid())
        assert not any(t.name == "storyline-worker" for t in threading.enumerate())

        def nice() -> int:
            with open(f"/proc/{worker.pid}/stat") as handle:  # field 19 is the nice value
                return int(handle.read().rpartition(")")[2].split()[16])

        wanted = min(os.nice(0) + 10, 19)  # 19 is the lowest priority there is (a test run under `nice` already)
        deadline = time.monotonic() + 60  # the child lowers its priority as soon as it has started Python
        while nice() < wanted and time.monotonic() < deadline:
            time.sleep(0.1)
        assert nice() >= wanted
    assert not worker.alive


def test_posted_articles_pass_the_ingest_checks(writable: Store) -> None:
    """The API refuses what a reader would refuse, with the same reasons (ingest.validate_article)."""
    settings = Settings().with_overrides({"web.token": "t", "ingest.max_article_chars": 100, "web.worker": False})
    client = TestClient(create_app(writable, settings))
    body = {"articles": [{"id": "long", "text": "word " * 40}, {"id": "blank", "text": " " * 60},
                         {"id": "ok", "text": "A dam broke in Lowtown on Monday, flooding ten homes."}]}
    result = client.post("/api/articles", json=body, headers={"authorization": "Bearer t"}).json()
    reasons = {r["input"]: r["reason"] for r in result["rejected"]}
    assert reasons == {"POST /api/articles (id long)": "text longer than 100 characters (ingest.max_article_chars)",
                       "POST /api/articles (id blank)": "text shorter than 20 characters"}
    assert result["accepted"] == 1
    assert client.get(f"/api/jobs/{result['job']}").json()["state"] == "pending"  # no worker in this app
    assert client.get("/api/jobs/999999").status_code == 404


def test_reading_from_other_hosts_needs_the_token(writable: Store) -> None:
    app = create_app(writable, Settings().with_overrides({"web.token": "s3cret"}))
    remote = TestClient(app, client=("203.0.113.9", 5555))
    assert remote.get("/api/stories").status_code == 401
    assert remote.get("/").status_code == 401
    assert remote.get("/api/stories", headers={"authorization": "Bearer s3cret"}).status_code == 200
    assert TestClient(app, client=("127.0.0.1", 5555)).get("/api/stories").status_code == 200
    assert TestClient(app, client=("::1", 5555)).get("/api/stories").status_code == 200


def test_answers_are_kept_until_the_store_changes(writable: Store) -> None:
    from storehelp import demo_digest

    result = demo_digest()
    writable.save_digest(result)
    app = create_app(writable)
    client = TestClient(app)
    story = result.stories[0]
    first = client.get(f"/stories/{story.id}").text
    assert client.get(f"/stories/{story.id}").text == first
    assert client.get(f"/api/stories/{story.id}").json()["headline"] == story.headline
    assert app.state.cache.hits >= 1
    story.headline = "Headline after a new run"
    writable.save_digest(result)
    assert "Headline after a new run" in client.get(f"/stories/{story.id}").text
    assert client.get(f"/api/stories/{story.id}").json()["headline"] == "Headline after a new run"
    uncached = create_app(writable, Settings().with_overrides({"web.cache_size": 0}))
    assert uncached.state.cache is None
    assert TestClient(uncached).get(f"/stories/{story.id}").text.count("Headline after a new run") >= 1


@pytest.mark.parametrize("path", ["/api/stories/a%00b", "/api/stories?source=a%00b", "/stories/a%00b",
                                  "/sources/a%00/feed.xml", "/entities/a%00b", "/api/search?q=x%00"])
def test_nul_in_urls_is_a_clear_400(writable: Store, path: str) -> None:
    response = TestClient(create_app(writable)).get(path)
    assert response.status_code == 400 and "NUL character" in response.json()["detail"]


def _post_and_group(writable: Store, body: dict) -> None:
    """POST the articles, then let a worker (service.worker.drain, the worker's own loop) group them."""
    from storyline.service.worker import drain

    settings = Settings().with_overrides({"web.token": "t"})
    client = TestClient(create_app(writable, settings))
    response = client.post("/api/articles", json=body, headers={"authorization": "Bearer t"})
    assert response.status_code == 202, response.text
    assert drain(writable, settings).jobs == 1
    assert client.get(f"/api/jobs/{response.json()['job']}").json()["state"] == "done"
    return client


def test_nul_in_articles_is_stored_as_replacement_character(writable: Store) -> None:
    """PostgreSQL cannot store NUL: it becomes U+FFFD, so texts keep their length and citations their offsets."""
    text = "A dam broke in Lowtown\x00 on Monday, flooding ten homes near the river."
    client = _post_and_group(writable, {"articles": [{"id": "nul\x00id", "title": "Dam\x00 breaks", "text": text}]})
    stored = client.get("/api/articles/nul\ufffdid").json()
    assert stored["text"] == text.replace("\x00", "\ufffd") and len(stored["text"]) == len(text)
    story = client.get(f"/api/stories/{stored['story_id']}").json()
    citation = story["summary"][0]["citations"][0]
    assert stored["text"][citation["start"]:citation["end"]] == story["summary"][0]["text"]


def test_articles_of_only_stop_words_are_still_grouped_not_left_pending(writable: Store) -> None:
    body = {"articles": [{"id": "s1", "text": "the the the and and and of of of to to to"},
                         {"id": "s2", "text": "and the of to and the of to and the of to"}]}
    client = _post_and_group(writable, body)
    assert writable.counts()["pending"] == 0
    assert client.get("/api/status").json()["counts"]["pending"] == 0
    grouped = {aid for story in writable.load_digest().stories for aid in story.article_ids}
    assert {"s1", "s2"} <= grouped


def test_a_split_story_never_gives_two_stories_one_id() -> None:
    from storyline.models import Digest, Stats, Story
    from storyline.service.regroup import keep_story_ids

    # stored story s-old held a1..a3 (founded by a1); the new grouping splits it: {a2, a3} and {a1}
    new = Digest(articles=[], rejected=[], stats=Stats(), stories=[
        Story(id="s-old", headline="", article_ids=["a1"]), Story(id="s-x", headline="", article_ids=["a2", "a3"])])
    keep_story_ids(new, {"a1": "s-old", "a2": "s-old", "a3": "s-old"})
    ids = [s.id for s in new.stories]
    assert len(set(ids)) == 2 and new.stories[1].id == "s-old"


def test_a_missing_id_is_404_and_a_bug_is_500_not_a_hidden_404(tmp_path) -> None:
    from storyline.store import Store

    with Store.open(str(tmp_path / "empty.db")) as store:
        app = create_app(store)

        @app.get("/api/broken")
        def broken() -> dict:
            return {}["no such key"]  # a programming error, not a missing story

        client = TestClient(app, raise_server_exceptions=False)
        missing = client.get("/api/stories/s-nothere")
        assert missing.status_code == 404 and "s-nothere" in missing.json()["detail"]
        assert client.get("/stories/s-nothere").status_code == 404
        assert client.get("/api/broken").status_code == 500


def test_story_page_footer_names_the_app_version_not_the_story_version(filled) -> None:
    from storyline import __version__

    client, everything = filled
    page = client.get(f"/stories/{everything.stories[0].id}")
    assert page.status_code == 200
    assert f"<footer>storyline {__version__} ·" in page.text


_TIME = re.compile(r"<time([^>]*)>([^<]*)</time>")


def test_every_page_shows_times_in_utc_labelled_with_the_local_time_in_the_tooltip(filled) -> None:
    # issue 19 item 11: lists showed unlabeled UTC, story and article pages unlabeled local time (11:15 vs 07:15)
    client, everything = filled
    article = next(a for a in everything.articles if a.published and a.published.utcoffset())
    story = next(s for s in everything.stories if article.id in s.article_ids)
    utc = article.published.astimezone(UTC)
    local = article.published.strftime("%Y-%m-%d %H:%M")
    hours, minutes = divmod(abs(int(article.published.utcoffset().total_seconds())) // 60, 60)
    sign = "+" if article.published.utcoffset().total_seconds() >= 0 else "\u2212"
    tag = (f'<time datetime="{article.published.isoformat()}" title="{local} local time (UTC{sign}{hours:02d}:'
           f'{minutes:02d})">{utc:%Y-%m-%d %H:%M} UTC</time>')
    for path in (f"/articles/{article.id}", f"/stories/{story.id}", f"/sources/{article.source}"):
        assert tag in client.get(path).text, path
    seen = 0
    for path in ("/", "/sources", "/status", f"/sources/{article.source}", f"/stories/{story.id}",
                 f"/articles/{article.id}", "/search?q=fire", f"/entities/{story.entities[0].name}"):
        html = client.get(path).text
        body = html.split('<section class="timeline"', 1)[0]  # timeline dates are days, months, years
        for attributes, shown in _TIME.findall(body):
            seen += 1
            assert re.fullmatch(r"\d{4}-\d\d-\d\d( \d\d:\d\d UTC)?", shown), (path, shown)
            assert 'datetime="' in attributes, (path, attributes)
            when = datetime.fromisoformat(re.search(r'datetime="([^"]+)"', attributes).group(1))
            assert when.tzinfo is not None and shown.startswith(when.astimezone(UTC).strftime("%Y-%m-%d")), shown
    assert seen >= 10
    # the JSON API gives every time with its offset (the store's columns are UTC)
    card = client.get("/api/stories", params={"limit": 500}).json()["items"][0]
    assert card["last_published"].endswith("+00:00") and card["updated_at"].endswith("+00:00")
    assert client.get("/api/sources").json()["items"][0]["latest"].endswith("+00:00")


def test_article_page_lists_the_cited_sentences_not_offsets(filled) -> None:
    # issue 19 item 12: "Cited 3 times: [12–178] [603–664]" said nothing to a reader
    client, everything = filled
    story = next(s for s in everything.stories if len(s.article_ids) > 2)
    citation = story.summary[0].citations[0]
    text = everything.article(citation.article_id).text
    spans = {(c.start, c.end) for s in everything.stories for sentence in s.summary for c in sentence.citations
             if c.article_id == citation.article_id}
    page = client.get(f"/articles/{citation.article_id}").text
    section = page.split('<section class="cited-by"', 1)[1].split("</section>", 1)[0]
    links = re.findall(r'<a class="cited-span" href="\?start=(\d+)&amp;end=(\d+)#cited">([^<]*)</a>', section)
    assert {(int(a), int(b)) for a, b, _ in links} == spans
    for start, end, shown in links:
        assert html.unescape(shown) == text[int(start) : int(end)]
    assert not re.search(r"\[\d+[–-]\d+\]", page)


def test_sources_filter_by_language(filled) -> None:
    # issue 21: the outlets that write in a language; the story list's ?language= already filters stories.
    client, everything = filled
    languages = {a.language for a in everything.articles if a.language}
    assert languages
    language = sorted(languages)[0]
    names = {a.source_name for a in everything.articles if a.language == language}
    page = client.get("/sources", params={"language": language, "limit": 500}).text
    assert all(f">{html.escape(n)}</a>" in page for n in names)
    none = client.get("/sources", params={"language": "zz"}).text
    assert "No articles yet." in none and 'value="zz"' in none
