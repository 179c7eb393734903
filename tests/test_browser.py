"""The web app in a real browser: Debian's Chromium driven by Playwright over loopback.

Opens the story list, a story, clicks a citation and checks the cited span is highlighted, searches, checks that
script payloads in article titles and texts render as text, and that an open story page updates by itself.
Screenshots go to test-output/.
"""

from __future__ import annotations

import dataclasses
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from storehelp import XSS_TITLE, filled_store
from storyline import Article, Settings
from storyline.models import TimelineEvent
from storyline.service import add_articles
from storyline.store import Store
from storyline.web import create_app

from conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"]
SHOTS = ROOT / "test-output"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _serving(store: Store, settings: Settings) -> Iterator[str]:
    """The web app over ``store`` on a free loopback port, in a thread; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store, settings), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 20 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    store, everything = filled_store(str(tmp_path_factory.mktemp("browser") / "store.db"))
    with _serving(store, Settings().with_overrides({"web.poll_seconds": 0.5})) as base:
        yield base, store, everything
    store.close()


@pytest.fixture(scope="module")
def storylines_live(tmp_path_factory: pytest.TempPathFactory):
    """A store fed by the live path in two batches with DUC 2003's Brazil election topic (weeks of events, one
    storyline) beside the Pinochet arrest topic, each article with the date of its doc id."""
    settings = Settings(progress=False).with_overrides({"compare.enabled": False, "scale.engine": "local"})
    articles = []
    for line in (ROOT.parent / "shared" / "data" / "mds" / "duc2003_task2.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if row["id"] in {"d30025t", "d30003t"}:
            for doc_id, text in zip(row["doc_ids"], row["documents"], strict=True):
                day = re.search(r"(\d{4})(\d\d)(\d\d)", doc_id)
                assert day, doc_id
                articles.append(Article(id=f"{row['id']}/{doc_id}", text=text, source=doc_id[:3],
                                        published=datetime(int(day[1]), int(day[2]), int(day[3]), 12, tzinfo=UTC)))
    store = Store.open(str(tmp_path_factory.mktemp("storylines") / "store.db"))
    cut = datetime(1998, 10, 20, tzinfo=UTC)
    add_articles(store, [a for a in articles if a.published and a.published < cut], settings)
    add_articles(store, [a for a in articles if a.published and a.published >= cut], settings)
    with _serving(store, settings) as base:
        yield base, store
    store.close()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run .ci/install-system.sh (apt-get install chromium)"
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.errors = []  # type: ignore[attr-defined]
    opened.on("pageerror", lambda exc: opened.errors.append(str(exc)))  # type: ignore[attr-defined]
    opened.on("dialog", lambda dialog: (opened.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))  # type: ignore[attr-defined]
    yield opened
    context.close()
    assert opened.errors == []  # type: ignore[attr-defined]


def _biggest(everything):
    return max(everything.stories, key=lambda s: (len(s.article_ids), s.id))


def test_list_story_citation_highlight(live, page: Page) -> None:
    base, _, everything = live
    page.goto(base + "/")
    expect(page.locator("li.card")).to_have_count(len(everything.stories))
    story = _biggest(everything)
    page.get_by_role("link", name=story.headline, exact=True).first.click()
    expect(page.locator("h1.headline")).to_have_text(story.headline)
    citation = story.summary[0].citations[0]
    cited = everything.article(citation.article_id).text[citation.start:citation.end]
    page.locator("li.sentence").first.locator("a.cite").first.click()
    mark = page.locator("#reader-cited")
    expect(mark).to_be_visible()
    assert mark.text_content() == cited
    assert page.evaluate("() => { const r = document.getElementById('reader-cited').getBoundingClientRect();"
                         " return r.top >= 0 && r.bottom <= window.innerHeight; }")
    page.screenshot(path=str(SHOTS / "story-citation.png"), full_page=False)
    # the same link without script: the article page with the span highlighted
    href = page.locator("li.sentence").first.locator("a.cite").first.get_attribute("href")
    page.goto(base + href)
    expect(page.locator("mark#cited")).to_have_text(cited)


def test_search_from_the_header(live, page: Page) -> None:
    base, _, everything = live
    page.goto(base + "/")
    box = page.get_by_role("searchbox", name="Search")
    box.fill("mussel")
    box.press("Enter")
    page.wait_for_url("**/search?q=mussel")
    results = page.locator("#story-results li.card")
    expect(results.first).to_be_visible()
    mussel = next(s for s in everything.stories if "mussel" in s.headline.lower())
    expect(page.locator("#story-results").get_by_role("link", name=mussel.headline)).to_be_visible()
    page.screenshot(path=str(SHOTS / "search.png"))


def test_script_payloads_render_as_text(live, page: Page) -> None:
    base, _, everything = live
    story = next(s for s in everything.stories if "xss-1" in s.article_ids)
    page.goto(f"{base}/stories/{story.id}")
    page.locator("a.cite[data-article='xss-1']").first.click() if page.locator(
        "a.cite[data-article='xss-1']").count() else page.locator("a.cite").first.click()
    expect(page.locator("#reader-cited")).to_be_visible()
    assert "onerror=" in page.locator("#reader-text").text_content() or "onerror=" in everything.article("xss-2").text
    page.goto(f"{base}/articles/xss-1")
    expect(page.locator("h1")).to_have_text(XSS_TITLE)
    assert "<img src=x onerror=" in page.locator("#article-text").text_content()
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("article img, article svg, article script").count() == 0
    page.screenshot(path=str(SHOTS / "payloads-as-text.png"))


def test_open_story_updates_without_reload(live, page: Page) -> None:
    base, store, everything = live
    story = next(s for s in everything.stories if "mussel" in s.headline.lower())
    page.goto(f"{base}/stories/{story.id}")
    page.evaluate("() => { window.__same_page = true; }")
    changed = dataclasses.replace(story, headline="Mussel named after the Kestrel River, says museum")
    store.save_digest(dataclasses.replace(everything, stories=[changed], articles=[], rejected=[]))
    expect(page.locator("h1.headline")).to_have_text(changed.headline, timeout=15_000)
    expect(page.locator("#live-note")).to_be_visible()
    assert page.evaluate("() => window.__same_page") is True  # no full reload
    page.screenshot(path=str(SHOTS / "story-updated.png"))


def test_phone_layout(live, browser: Browser) -> None:
    base, _, everything = live
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    story = _biggest(everything)
    phone.goto(f"{base}/stories/{story.id}")
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.locator("li.sentence a.cite").first.tap()
    expect(phone.locator("#reader-cited")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "story-phone.png"))
    phone.goto(base + "/")
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.screenshot(path=str(SHOTS / "list-phone.png"))
    context.close()


def test_api_docs_render_offline_under_the_csp(live, page: Page) -> None:
    base, _, _ = live
    refused: list[str] = []
    outside: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(base) else None)
    page.goto(base + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("storyline")
    expect(page.locator(".opblock-summary-path", has_text="/api/stories/{story_id}").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "api-docs.png"), full_page=False)
    page.locator(".opblock-summary", has_text="/api/status").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table .response .response-col_status").first).to_contain_text("200")
    page.screenshot(path=str(SHOTS / "api-docs-try-it.png"), full_page=False)
    assert refused == [] and outside == []


def test_times_are_utc_with_the_local_time_on_hover_and_articles_list_their_cited_sentences(
    live, page: Page
) -> None:
    # issue 19 items 11-12: one time convention in every view (the reader beside the summary included), and an
    # article page lists the sentences summaries cite instead of "[12–178]"
    base, _, everything = live
    story = _biggest(everything)
    page.goto(f"{base}/stories/{story.id}")
    page.locator("li.sentence a.cite").first.click()
    citation = story.summary[0].citations[0]
    article = everything.article(citation.article_id)
    expect(page.locator("#reader-cited")).to_be_visible()
    shown = page.locator("#reader-meta time")
    if article.published:
        utc = article.published.astimezone(UTC)
        expect(shown).to_have_text(utc.strftime("%Y-%m-%d %H:%M UTC"), timeout=15_000)
        if article.published.utcoffset():
            assert shown.get_attribute("title").startswith(article.published.strftime("%Y-%m-%d %H:%M local time"))
    for text in page.locator("main time").all_inner_texts():
        assert text.endswith(" UTC") or len(text) in (4, 7, 8, 10), text  # clock times labelled; days, months
    page.screenshot(path=str(SHOTS / "story-times.png"), full_page=True)
    page.goto(f"{base}/articles/{citation.article_id}")
    spans = page.locator(".cited-by a.cited-span")
    expect(spans.first).to_be_visible()
    assert citation.start is not None and article.text[citation.start : citation.end] in spans.all_inner_texts()
    page.locator("article time").first.hover()
    spans.first.click()
    first = spans.first.get_attribute("href")
    start, end = (int(x) for x in first.split("start=")[1].split("#")[0].split("&end="))
    expect(page.locator("mark#cited")).to_have_text(article.text[start:end])
    page.screenshot(path=str(SHOTS / "article-cited.png"), full_page=True)


def test_one_name_per_outlet_on_the_story_page_and_the_sources_list(live, page: Page) -> None:
    """Issue 17: the demo corpus names "Harbor Ledger" in JSONL and harbor-ledger/ as a folder; one name shows."""
    from collections import defaultdict

    from storyline.text.outlets import outlet_key

    base, _, everything = live
    story = f"{base}/stories/{_biggest(everything).id}"
    for url, selector in ((story, "a.source, a.cite"), (base + "/sources", "main a")):
        page.goto(url)
        shown = [t.strip() for t in page.locator(selector).all_inner_texts() if t.strip()]
        names: dict[str, set[str]] = defaultdict(set)
        for name in shown:
            names[outlet_key(name)].add(name)
        assert len(names) >= 3, shown
        assert all(len(n) == 1 for n in names.values()), names
        assert not {"harbor-ledger", "morning-signal", "valley-courier"} & set(shown), shown


def test_follow_a_storyline_from_a_story_page(storylines_live, page: Page) -> None:
    """Story page -> its storyline link -> the storyline page (events in time order, first reports), "new since"
    a visit, its Atom feed, and the main search finding it."""
    base, store = storylines_live
    whole = store.load_digest()
    line = max(whole.storylines, key=lambda x: len(x.story_ids))
    assert len(line.story_ids) >= 2
    first = {s.id: s.first_published for s in whole.stories}
    page.goto(f"{base}/stories/{line.story_ids[-1]}")
    note = page.locator("p.storyline-note")
    expect(note).to_contain_text(f"event {len(line.story_ids)} of {len(line.story_ids)}")
    note.locator("a.storyline-link").click()
    page.wait_for_url(f"**/storylines/{line.id}")
    events = page.locator("ol.storyline-events li.event")
    expect(events).to_have_count(len(line.story_ids))
    hrefs = [events.nth(i).locator("a.story-link").get_attribute("href") for i in range(len(line.story_ids))]
    assert hrefs == [f"/stories/{sid}" for sid in line.story_ids]
    assert [first[sid] for sid in line.story_ids] == sorted(first[sid] for sid in line.story_ids)
    expect(events.first).to_contain_text("first report:")
    page.screenshot(path=str(SHOTS / "storyline.png"), full_page=True)
    # "new since your last visit": a visit after the first event's day marks the later events only
    since = first[line.story_ids[0]].date().isoformat()  # type: ignore[union-attr]
    later = sum(1 for sid in line.story_ids if first[sid].date().isoformat() > since)  # type: ignore[union-attr]
    page.goto(f"{base}/storylines/{line.id}?since={since}T23:59:59Z")
    expect(page.locator("strong.new-count")).to_contain_text(f"{later} new since")
    expect(page.locator("ol.storyline-events li.event.new")).to_have_count(later)
    page.screenshot(path=str(SHOTS / "storyline-since.png"), full_page=True)
    # the Atom feed the page links to: one entry per event
    feed = page.request.get(base + page.locator("a", has_text="Atom feed").get_attribute("href"))
    assert feed.ok and "application/atom+xml" in feed.headers["content-type"]
    assert feed.text().count("<entry>") == len(line.story_ids)
    # the main search finds the storyline
    word = max(re.findall(r"[A-Za-z]{4,}", line.headline), key=len)
    page.goto(base + "/")
    box = page.get_by_role("searchbox", name="Search")
    box.fill(word)
    box.press("Enter")
    found = page.locator("#storyline-results a.storyline-link", has_text=line.headline[:20])
    expect(found.first).to_be_visible()
    page.screenshot(path=str(SHOTS / "search-storylines.png"))
    found.first.click()
    page.wait_for_url(f"**/storylines/{line.id}")
# --- issue 17: the coverage block, the timeline axis, "show all", 390 px and the keyboard --------------------------


def _blindspot(everything):
    return next(s for s in everything.stories if s.coverage and s.coverage.one_group)


def test_coverage_block_and_the_blindspot_view(live, page: Page) -> None:
    base, _, everything = live
    story = _blindspot(everything)
    page.goto(f"{base}/stories/{story.id}")
    block = page.locator("section.coverage")
    expect(block).to_be_visible()
    expect(block.locator("ol.outlets > li")).to_have_count(len(story.coverage.outlets))
    chart = block.get_by_role("img", name=re.compile("Articles over time"))
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar").count() == len(story.coverage.over_time)
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 20  # drawn, not collapsed
    expect(block.locator("tr.missing th")).to_have_text("independent")
    block.get_by_role("link", name=re.compile("covered by one group only")).click()
    page.wait_for_url("**/?blindspot=1")
    expect(page.locator("#blindspot-note")).to_be_visible()
    expect(page.locator("li.card")).to_have_count(len([s for s in everything.stories if s.coverage.one_group]))
    expect(page.get_by_role("checkbox", name="Covered by one group only")).to_be_checked()
    page.get_by_role("checkbox", name="Covered by one group only").uncheck()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("li.card")).to_have_count(len(everything.stories))


def test_timeline_axis_with_sources_and_undated_expressions(live, page: Page) -> None:
    base, store, everything = live
    story = next(s for s in everything.stories if "ashford" in s.headline.lower())
    dated = {t.date for t in story.timeline if t.date}
    # an article with no publication date gives "last year" no anchor: it must be listed, not dropped
    first = story.timeline[0]
    undated = TimelineEvent(date=None, expression="last year", text=first.text, anchor="unknown",
                            article_id=first.article_id, start=first.start, end=first.end)
    changed = dataclasses.replace(story, timeline=[*story.timeline, undated])
    store.save_digest(dataclasses.replace(everything, stories=[changed], articles=[], rejected=[]))
    page.goto(f"{base}/stories/{story.id}")
    axis = page.locator("section.timeline ol.axis")
    expect(axis.locator("> li.point")).to_have_count(len(dated))
    points = axis.locator("> li.point time.when")
    expect(points.first).to_be_visible()
    assert all(axis.locator("> li.point").nth(i).locator("a.cite").count() >= 1 for i in range(len(dated)))
    expect(page.locator("section.timeline ul.undated li")).to_have_count(1)
    expect(page.locator("section.timeline ul.undated")).to_contain_text("last year")
    # the axis line and the points are drawn beside the text, not over it
    line = page.evaluate("() => getComputedStyle(document.querySelector('ol.axis')).borderLeftStyle")
    assert line == "solid"
    page.locator("section.timeline").screenshot(path=str(SHOTS / "timeline.png"))


def test_show_all_expands_without_javascript(live, browser: Browser) -> None:
    base, _, everything = live
    story = _blindspot(everything)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/stories/{story.id}")
    more = page.locator("div.unique details.more").first
    hidden = more.locator("li").first
    expect(hidden).to_be_hidden()
    outlet_items = page.locator("div.unique > ul").first.locator("li")
    expect(outlet_items.first).to_be_visible()
    assert 1 <= outlet_items.count() <= Settings().compare.unique_shown  # the outlet's ranked top statements
    more.locator("summary").click()
    expect(hidden).to_be_visible()
    total = int(re.search(r"show all (\d+)", more.locator("summary").inner_text()).group(1))
    assert outlet_items.count() + more.locator("li").count() == total
    context.close()


def test_keyboard_reaches_show_all_and_the_citations(live, page: Page) -> None:
    base, _, everything = live
    story = _blindspot(everything)
    page.goto(f"{base}/stories/{story.id}")
    page.locator("body").focus()
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('details.more > summary')"):
            break
    else:
        raise AssertionError("Tab never reached a 'show all' expander")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focused control is visible
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.parentElement.open") is True
    page.goto(f"{base}/stories/{story.id}")
    page.locator("body").focus()
    for _ in range(100):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('li.sentence a.cite')"):
            break
    else:
        raise AssertionError("Tab never reached a summary citation")
    page.keyboard.press("Enter")
    expect(page.locator("#reader-cited")).to_be_visible()


def test_new_story_page_on_a_desktop_and_at_390_px(live, browser: Browser) -> None:
    base, _, everything = live
    story = _blindspot(everything)
    for name, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport, is_mobile=name == "phone", has_touch=name == "phone")
        page = context.new_page()
        page.goto(f"{base}/stories/{story.id}")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), name
        for selector in ("section.coverage", "section.timeline", "div.unique", "svg.bars"):
            box = page.locator(selector).first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, (name, selector)
        page.screenshot(path=str(SHOTS / f"story-coverage-{name}.png"), full_page=True)
        page.locator("section.coverage").screenshot(path=str(SHOTS / f"coverage-{name}.png"))
        context.close()
