"""RSS 0.9x/1.0/2.0, Atom and JSON Feed on real feeds from ../shared/data, checked against their expected parses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.config import IngestOptions
from storyline.ingest import read_inputs

from conftest import DATA

FEEDS = DATA / "ingest" / "feeds"
FEED_RS = FEEDS / "feed-rs"
ALL = IngestOptions(min_article_chars=1)


@pytest.mark.parametrize("name", ["rss2/rss_2.0_spiegel.xml", "rss2/rss_2.0_nbcny.xml", "rss2/rss_2.0_ilgiornale.xml",
                                  "atom/atom_example_reddit.xml", "rss1/rss_1.0_debian.xml", "rss0/rss_0.91_spec_1.xml",
                                  "jsonfeed/jsonfeed_spec_1.json"])
def test_every_expected_entry_is_read_with_its_title_and_date(name: str) -> None:
    expected = json.loads((FEED_RS / name).with_suffix(".serde.json").read_text(encoding="utf-8"))
    articles, rejected, _ = read_inputs([str(FEED_RS / name)], ALL)
    entries = expected["entries"]
    assert len(articles) + len(rejected) == len(entries) and len(articles) >= len(entries) - 1
    titles = {(e.get("title") or {}).get("content", "").strip() for e in entries}
    assert {a.title for a in articles if a.title} <= {" ".join(t.split()) for t in titles}
    with_dates = sum(1 for e in entries if e.get("published") or e.get("updated"))
    assert sum(1 for a in articles if a.published) >= with_dates - len(rejected)
    assert all(a.published is None or a.published.tzinfo is not None for a in articles)


def test_spiegel_entries_are_german_with_authors_and_source() -> None:
    articles, _, _ = read_inputs([str(FEED_RS / "rss2/rss_2.0_spiegel.xml")], ALL)
    assert articles and {a.language for a in articles} == {"de"}
    assert all(a.source and a.url and a.url.startswith("http") for a in articles)
    assert any(a.author for a in articles)


def test_iso_8859_feeds_are_decoded() -> None:
    articles, _, _ = read_inputs([str(FEED_RS / "rss1/rss_1.0_iso8859.xml"),
                                         str(FEED_RS / "rss0/rss_0.91_encoding_1.xml")], ALL)
    text = " ".join(f"{a.title} {a.text}" for a in articles)
    assert articles and "\ufffd" not in text and "Ã" not in text
    assert any(ord(c) > 127 for c in text)


def test_json_feed_with_html_content_and_authors() -> None:
    articles, _, _ = read_inputs([str(FEEDS / "trafilatura" / "feed.json")], ALL)
    assert len(articles) >= 5
    first = articles[0]
    assert first.author and first.published and first.source == "Technology"
    assert "<" not in first.text and first.url.startswith("https://www.npr.org/")


def test_atom_and_rss_detected_by_content_not_extension(tmp_path: Path) -> None:
    for source in ("feed1.atom", "feed2.rss"):
        (tmp_path / (source + ".txt")).write_bytes((FEEDS / "trafilatura" / source).read_bytes())
    articles, _, _ = read_inputs([str(tmp_path)], ALL)
    assert {a.meta["feed"].rsplit("/", 1)[-1] for a in articles} == {"feed1.atom.txt", "feed2.rss.txt"}


def test_invalid_and_non_feeds_are_rejected_with_reasons() -> None:
    articles, rejected, _ = read_inputs([str(FEED_RS / "rss2/rss_2.0_invalid_1.xml"),
                                         str(FEED_RS / "xml/xml_sample_1.xml")], IngestOptions(format="feed"))
    assert not articles
    reasons = {Path(r.input).name: r.reason for r in rejected}
    assert reasons["rss_2.0_invalid_1.xml"] == "feed has no entries"
    assert "root element <catalog>" in reasons["xml_sample_1.xml"]


def test_feedparser_conformance_samples_never_crash() -> None:
    folder = FEEDS / "feedparser" / "tests"
    files = sorted(str(p) for sub in ("illformed", "encoding", "entities") for p in (folder / sub).rglob("*.xml"))
    articles, rejected, count = read_inputs(files, IngestOptions(format="feed", min_article_chars=1))
    assert count == len(files) > 100
    seen = {a.meta["feed"] for a in articles} | {r.input.split(" entry ")[0].split(" (id ")[0] for r in rejected}
    assert seen == set(files)  # every file gave articles or a reason
    assert len(articles) >= 10 and all(r.reason for r in rejected)
