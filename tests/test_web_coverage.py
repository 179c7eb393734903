"""The coverage block, the blindspot view and the timeline axis through the store, the API, the pages and the three
output files, on the demo corpus with its (invented) demo/sources.toml groups; SQLite and PostgreSQL (issue 17)."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from storehelp import BACKENDS, filled_store, fresh_database
from storyline import Settings
from storyline.output.json import load_schema
from storyline.web import create_app

from conftest import DEMO, run_cli

RAIL = "Carrow Media"  # demo/sources.toml: the rail-strike story is covered by Carrow Media's outlets only


@pytest.fixture(scope="module", params=BACKENDS)
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with fresh_database(request.param, tmp_path_factory.mktemp("coverage")) as url:
        store, everything = filled_store(url)
        yield TestClient(create_app(store, Settings())), everything
        store.close()


def _blind(everything) -> list[str]:
    return sorted(s.id for s in everything.stories if s.coverage and s.coverage.one_group)


def test_every_story_has_its_coverage_and_one_name_per_outlet(filled) -> None:
    client, everything = filled
    for story in everything.stories:
        body = client.get(f"/api/stories/{story.id}").json()
        cov = body["coverage"]
        members = [everything.article(a) for a in story.article_ids]
        assert sorted(o["name"] for o in cov["outlets"]) == sorted({a.source_name for a in members})
        assert sum(o["articles"] for o in cov["outlets"]) + cov["unnamed"] == len(members)
        assert sum(b["articles"] for b in cov["over_time"]) + cov["undated"] == len(members)
        assert [g["name"] for g in cov["groups"]][:2] == [RAIL, "independent"] or not cov["groups"]
        for group in cov["groups"]:
            assert all(group["name"] in next(o for o in cov["outlets"] if o["name"] == n)["groups"]
                       for n in group["outlets"])
    assert _blind(everything), "the demo's rail-strike story is covered by one group only"
    for sid in _blind(everything):
        assert client.get(f"/api/stories/{sid}").json()["coverage"]["one_group"] == RAIL


def test_blindspot_filter_in_the_api_and_the_list_page(filled) -> None:
    client, everything = filled
    blind = _blind(everything)
    got = client.get("/api/stories", params={"blindspot": "true", "limit": 500}).json()
    assert sorted(c["id"] for c in got["items"]) == blind and got["total"] == len(blind)
    assert all(c["one_group"] == RAIL for c in got["items"])
    every = client.get("/api/stories", params={"blindspot": "0", "limit": 500}).json()
    assert every["total"] == len(everything.stories)
    assert client.get("/api/stories", params={"blindspot": "maybe"}).status_code == 422
    page = client.get("/", params={"blindspot": "1"})
    assert page.status_code == 200
    shown = re.findall(r'class="story-link" href="/stories/([^"]+)"', page.text)
    assert sorted(shown) == blind
    assert 'id="blindspot-note"' in page.text and "sources.toml" in page.text  # the view explains itself
    assert client.get("/", params={"blindspot": "maybe"}).status_code == 400
    listing = client.get("/").text
    assert 'href="/?blindspot=1"' in listing and f"only {RAIL}" in listing


def test_story_page_shows_coverage_timeline_axis_and_show_all(filled) -> None:
    client, everything = filled
    story = next(s for s in everything.stories if s.coverage and s.coverage.one_group)
    text = client.get(f"/stories/{story.id}").text
    assert 'class="coverage"' in text and "<svg" in text and 'role="img"' in text and "<desc" in text
    assert f"covered by one group only: {RAIL}" in unescape(text)
    assert re.search(r'<tr class="missing"><th scope="row">independent</th><td>none</td>', text)
    dated = [t for t in story.timeline if t.date]
    assert text.count('class="point ') == len({t.date for t in dated}) and 'class="axis"' in text
    for event in story.timeline:  # every event is on the page, dated or not
        assert unescape(text).count(event.text) >= 1
    per_outlet: dict[str, int] = {}
    for span in story.unique:
        name = everything.article(span.article_id).source_name
        per_outlet[name] = per_outlet.get(name, 0) + 1
    expanders = re.findall(r"<summary>show all (\d+) from ([^<]+)</summary>", unescape(text))
    assert sorted((int(n), name) for n, name in expanders) == sorted(
        (n, name) for name, n in per_outlet.items() if n > 3)


def test_undated_expressions_are_listed_not_dropped() -> None:
    from storyline.output.story_view import timeline_axis

    timeline = [
        {"date": "2026-09-14", "expression": "Monday", "text": "The vote was on Monday.", "article_id": "a"},
        {"date": None, "expression": "last year", "text": "It flooded last year too.", "article_id": "b"},
        {"date": "2019", "expression": "2019", "text": "The last strike was in 2019.", "article_id": "a"},
        {"date": "2026-09-14", "expression": "Monday", "text": "Councillors met Monday.", "article_id": "b"},
    ]
    axis = timeline_axis(timeline)
    assert [p["date"] for p in axis["points"]] == ["2019", "2026-09-14"]
    assert [len(p["events"]) for p in axis["points"]] == [1, 2]
    assert axis["points"][1]["gap"] == "8 years later" and axis["points"][0]["precision"] == "year"
    assert [t["expression"] for t in axis["undated"]] == ["last year"]


def test_the_three_output_files_carry_coverage(tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = tmp_path / "storyline.toml"
    config.write_text(f'[outlets]\nfile = "{DEMO.parent / "sources.toml"}"\n', encoding="utf-8")
    run_cli("digest", str(DEMO), "-o", str(out), "-q", "--config", str(config))
    data = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, load_schema())
    blind = [s for s in data["stories"] if s["coverage"]["one_group"]]
    assert [s["coverage"]["one_group"] for s in blind] == [RAIL]
    markdown = (out / "stories.md").read_text(encoding="utf-8")
    assert markdown.count("**Coverage**") == len(data["stories"])
    assert f"covered by one group only: {RAIL}" in markdown
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count('<figure class="over-time">') == sum(bool(s["coverage"]["over_time"]) for s in data["stories"])
    assert 'id="blindspots"' in page and blind[0]["headline"] in unescape(page)
    assert not re.search(r'<(img|link|script)[^>]+(src|href)="https?://', page)  # no external asset
