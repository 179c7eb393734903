"""Outlets have one name (issue 17): one display name per outlet in stories.json, Markdown, index.html, the store
and the web pages; sources.toml names and groups; the original name kept in the article's metadata."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storyline.config import Settings, load_outlets
from storyline.errors import ConfigError
from storyline.models import UNKNOWN_SOURCE, Article
from storyline.service import add_articles
from storyline.store import Store
from storyline.text.outlets import name_outlets, outlet_host, outlet_key
from storyline.web import create_app

from conftest import DEMO, run_cli

SOURCES_TOML = """
[outlets."Harbor Ledger"]
aliases = ["HL Online"]
groups = ["coastal", "daily"]
"""


def test_spellings_of_one_outlet_share_a_key() -> None:
    for a, b in [("Harbor Ledger", "harbor-ledger"), ("The Morning Signal", "morning-signal"),
                 ("harborledger.com", "www.harborledger.com"), ("Harbor Ledger", "harborledger.co.uk"),
                 ("VALLEY  COURIER!", "valley_courier")]:
        assert outlet_key(a) == outlet_key(b), (a, b)
    assert outlet_key("Harbor Ledger") != outlet_key("Harbor Times")
    assert outlet_key("The") == "the"  # a name that is only "The" is still a name
    assert outlet_host("https://www.harborledger.com/x") == "harborledger.com"
    assert outlet_host("http://[::1") is None


def test_display_name_metadata_over_folder_over_host_and_original_kept() -> None:
    folder = Article(id="harbor-ledger/a.txt", text="x", source="harbor-ledger", meta={"source_from": "folder"})
    host = Article(id="b", text="x", url="https://www.harborledger.com/b")
    named = Article(id="c", text="x", source="Harbor Ledger")
    nothing = Article(id="d.txt", text="x")
    assert name_outlets([folder, host, named, nothing]) == 2
    assert {folder.source_name, host.source_name, named.source_name} == {"Harbor Ledger"}
    assert folder.meta["source_original"] == "harbor-ledger" and host.meta["source_from"] == "url host"
    assert "source_original" not in named.meta
    assert nothing.source_name == UNKNOWN_SOURCE and nothing.id == "d.txt"
    # without the metadata name the folder slug wins over the host; again on named articles changes nothing
    only = [Article(id="e", text="x", source="harbor-ledger", meta={"source_from": "folder"}),
            Article(id="f", text="x", url="https://harborledger.com/f")]
    name_outlets(only)
    assert [a.source for a in only] == ["harbor-ledger", "harbor-ledger"]
    assert name_outlets(only) == 0


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("outlets")
    (tmp / "sources.toml").write_text(SOURCES_TOML, encoding="utf-8")
    (tmp / "storyline.toml").write_text(f'[outlets]\nfile = "{tmp / "sources.toml"}"\n', encoding="utf-8")
    out = tmp / "out"
    run_cli("digest", str(DEMO), "-o", str(out), "-q", "--config", str(tmp / "storyline.toml"))
    return out


def test_demo_corpus_one_name_per_outlet_in_every_report(demo_out: Path) -> None:
    data = json.loads((demo_out / "stories.json").read_text(encoding="utf-8"))
    names: dict[str, set[str]] = defaultdict(set)
    for article in data["articles"]:
        names[outlet_key(article["source"])].add(article["source"])
    assert all(len(n) == 1 for n in names.values()), names
    shown = {next(iter(n)) for n in names.values()}
    assert {"Harbor Ledger", "The Morning Signal", "Valley Courier"} <= shown
    for report in ("stories.md", "index.html"):
        text = (demo_out / report).read_text(encoding="utf-8")
        # folder slugs survive only inside ids (harbor-ledger/2026-...txt), never as a shown source
        assert not re.search(r"(harbor-ledger|morning-signal|valley-courier)(?!/)", text), report
    groups = {a["source"]: a["groups"] for a in data["articles"]}
    assert groups["Harbor Ledger"] == ["coastal", "daily"] and groups["Valley Courier"] == []


def test_seeds_show_unknown_source_not_file_names(seeds_digest: dict) -> None:
    sources = {a["source"] for a in seeds_digest["articles"]}
    assert sources == {UNKNOWN_SOURCE}
    assert all(a["id"].endswith(".txt") for a in seeds_digest["articles"])


def test_bad_sources_toml_is_a_clear_config_error(tmp_path: Path) -> None:
    bad = {"not toml": "[outlets\n", "bad key": '[outlets."A"]\nrating = 3\n',
           "bad list": '[outlets."A"]\ngroups = "left"\n', "bad table": 'outlets = 3\n'}
    for what, text in bad.items():
        path = tmp_path / f"{what}.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match="sources file"):
            Settings().with_overrides({"outlets.file": str(path)})
    with pytest.raises(ConfigError, match="cannot read"):
        Settings.load(env={"STORYLINE_OUTLETS_FILE": str(tmp_path / "missing.toml")})
    good = tmp_path / "good.toml"
    good.write_text(SOURCES_TOML, encoding="utf-8")
    assert load_outlets(good)[0].aliases == ("HL Online",)
    assert Settings().with_overrides({"outlets.file": str(good)}).outlets.table[0].groups == ("coastal", "daily")


FIRE = ("A fire broke out at the Millbrook warehouse on Tuesday afternoon. Firefighters under Chief Dana Whitlock "
        "brought the blaze under control in under three hours. Nobody was hurt, the fire department said. ")


def test_live_batches_join_the_stored_names_and_the_web_shows_one(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "news.db")
    settings = Settings().with_overrides({"progress": False})
    add_articles(store, [Article(id="a1", text=FIRE + "The warehouse stored furniture.", source="Harbor Ledger"),
                         Article(id="a2", text=FIRE + "Investigators are looking at the wiring.",
                                 source="The Morning Signal")], settings)
    add_articles(store, [Article(id="b1", text=FIRE + "The owner said the building was insured.",
                                 source="harbor-ledger", meta={"source_from": "folder"}),
                         Article(id="b2", text=FIRE + "Neighbours saw smoke from the river.",
                                 url="https://www.morningsignal.com/fire"),
                         Article(id="b3", text=FIRE + "A second alarm was raised at four.",
                                 source="MORNING SIGNAL")], settings)
    assert store.source_names() == ["Harbor Ledger", "The Morning Signal"]
    assert store.article("b1").meta["source_original"] == "harbor-ledger"
    assert store.article("b3").meta["source_original"] == "MORNING SIGNAL"
    client = TestClient(create_app(store, settings))
    sources = client.get("/api/sources").json()
    assert sorted(s["name"] for s in sources["items"]) == ["Harbor Ledger", "The Morning Signal"]
    assert client.get("/api/articles", params={"source": "harbor-ledger"}).json()["total"] == 2
    stories = client.get("/api/stories").json()["items"]
    for story in stories:
        page = client.get(f"/stories/{story['id']}").text
        chips = set(re.findall(r'class="source">([^<]+)</a>', page))
        assert chips <= {"Harbor Ledger", "The Morning Signal"}, chips
        assert chips
    store.close()


def test_sources_toml_names_aliases_and_groups_win(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES_TOML, encoding="utf-8")
    table = load_outlets(path)
    alias = Article(id="a", text="x", source="HL online")
    slug = Article(id="b", text="x", source="harbor-ledger", meta={"source_from": "folder"})
    other = Article(id="c", text="x", source="Valley Courier", meta={"groups": ["stale"]})
    name_outlets([alias, slug, other], table, stored=["harbor ledger"])
    assert alias.source == slug.source == "Harbor Ledger"  # the user's name beats the stored spelling
    assert alias.meta["source_original"] == "HL online" and alias.meta["groups"] == ["coastal", "daily"]
    assert "groups" not in other.meta and other.source == "Valley Courier"


def test_a_new_batch_joins_the_stored_spelling() -> None:
    fresh = Article(id="n", text="x", source="Harbor Ledger")
    name_outlets([fresh], stored=["harbor-ledger", UNKNOWN_SOURCE])
    assert fresh.source == "harbor-ledger" and fresh.meta["source_original"] == "Harbor Ledger"
