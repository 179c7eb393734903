"""WARC and WARC.gz on real archives from ../shared/data: HTML responses become articles, the rest is counted."""

from __future__ import annotations

import gzip
from pathlib import Path

from storyline.ingest import read_inputs

from conftest import DATA

WARC = DATA / "ingest" / "warc"
CC = WARC / "resiliparse" / "tests" / "data"


def test_common_crawl_excerpt_gives_one_article_per_html_response() -> None:
    articles, rejected, _ = read_inputs([str(CC / "warcfile.warc.gz")])
    reasons = [r.reason for r in rejected]
    no_text = sum(1 for r in reasons if "no article text" in r or "shorter than" in r)
    assert len(articles) + no_text == 16
    assert len(articles) >= 12
    assert all(a.id == a.url or a.id.startswith("http") for a in articles)
    assert all(a.published is not None and a.meta["crawled"].startswith("2020-08") for a in articles)
    assert "skipped 17 records: request record (not a response)" in reasons
    assert "skipped 16 records: metadata record (not a response)" in reasons
    assert len({a.language for a in articles}) >= 3  # Chinese, Russian, German, English ... pages


def test_plain_gz_and_lz4_archives_read_the_same() -> None:
    ids = []
    for name in ("warcfile.warc", "warcfile.warc.gz", "warcfile.warc.lz4"):
        articles, _, _ = read_inputs([str(CC / name)])
        ids.append(sorted(a.id for a in articles))
    assert ids[0] == ids[1] == ids[2]


def test_clipped_archive_keeps_what_was_read_and_says_so() -> None:
    articles, rejected, _ = read_inputs([str(CC / "clipped.warc.gz")])
    assert [a.url for a in articles] == [
        "http://www.houstonpress.com/music/a-humble-chance-the-rapper-leads-a-spiritual-awakening-at-revention-8866723"]
    assert "Chance" in articles[0].title and articles[0].language == "en"
    reasons = " ".join(r.reason for r in rejected)
    assert "truncated gzip" in reasons and "kept the 1 articles" in reasons


def test_japanese_clueweb_with_quirky_dates() -> None:
    articles, _, _ = read_inputs([str(CC / "clueweb-quirk.warc.gz")])
    assert articles and {a.language for a in articles} == {"ja"}
    assert all(a.url.startswith("http://") for a in articles)


def test_broken_warcio_samples_are_read_as_far_as_they_go() -> None:
    data = WARC / "warcio" / "test" / "data"
    articles, rejected, _ = read_inputs([str(data / "example-trunc.warc")])
    assert [a.url for a in articles] == ["http://example.com/"]
    assert any("damaged WARC record at byte 2,560 (Invalid WARC header)" in r.reason for r in rejected)
    articles, rejected, _ = read_inputs([str(data / "example.arc")])
    assert not articles and "ARC (pre-WARC)" in rejected[0].reason
    articles, rejected, _ = read_inputs([str(data / "post-test.warc.gz")])
    assert not articles and "skipped 3 records: not HTML (application/json)" in [r.reason for r in rejected]


def test_archive_cut_mid_gzip_member_keeps_earlier_records(tmp_path: Path) -> None:
    whole = gzip.decompress((CC / "warcfile.warc.gz").read_bytes())
    (tmp_path / "cut.warc.gz").write_bytes(gzip.compress(whole)[: 60_000])
    articles, rejected, _ = read_inputs([str(tmp_path / "cut.warc.gz")])
    assert 1 <= len(articles) < 12
    assert any("truncated" in r.reason for r in rejected)
