"""`storyline digest` over one folder holding text, HTML, a feed and a WARC: one story spans all four formats,
and real files of each kind from ../shared sit beside them."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import DATA, SEEDS, digest_to

FACTS = [
    "The new Norden bridge over the river Aller opened to traffic on Friday morning after three years of work.",
    "Mayor Ann Lee cut the ribbon at 9 a.m. and said the 42 million euro bridge would halve commuting times.",
    "About two thousand residents walked across the Norden bridge before the first cars were allowed on it.",
    "Engineers said the Norden bridge was built to carry heavy lorries and to withstand a hundred-year flood.",
]


def _body(shift: int) -> list[str]:
    return FACTS[shift:] + FACTS[:shift]


def _warc(uri: str, html: str) -> bytes:
    payload = html.encode("utf-8")
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(payload)
    block = http + payload
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-03-01T12:00:00Z\r\n"
            "WARC-Record-ID: <urn:uuid:3b3f8a3e-1c1d-4a4b-9a49-0e5b7c3f0a11>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n").encode()
    return head + block + b"\r\n\r\n"


def _page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html lang='en'><head><title>{title}</title></head><body><nav>News | Sport | Weather</nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>(c) 2024</footer></body></html>")


def test_digest_over_text_html_feed_and_warc(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "wire.txt").write_text("Norden bridge opens\n\n" + " ".join(_body(0)))
    (folder / "gazette.html").write_text(_page("Norden bridge opens to traffic", _body(1)))
    items = "".join(f"<p>{p}</p>" for p in _body(2))
    (folder / "radio.xml").write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Radio Norden</title><item>"
        "<title>Bridge open</title><link>https://radio.example/bridge</link>"
        f"<pubDate>Fri, 01 Mar 2024 11:00:00 GMT</pubDate><description><![CDATA[{items}]]></description>"
        "</item></channel></rss>")
    (folder / "crawl.warc").write_bytes(_warc("https://times.example/norden-bridge",
                                              _page("Bridge in Norden opens", _body(3))))
    real = folder / "real"
    real.mkdir()
    shutil.copy(SEEDS / sorted(p.name for p in SEEDS.iterdir())[0], real)
    shutil.copy(DATA / "ingest" / "extraction" / "html" / sorted(
        p.name for p in (DATA / "ingest" / "extraction" / "html").iterdir())[0], real / "page.html.gz")
    shutil.copy(DATA / "ingest" / "feeds" / "feed-rs" / "rss2" / "rss_2.0_spiegel.xml", real)
    shutil.copy(DATA / "ingest" / "warc" / "resiliparse" / "tests" / "data" / "clipped.warc.gz", real)

    result = digest_to(tmp_path, folder)
    articles = {a["id"]: a for a in result["articles"]}
    ours = {"wire.txt", "gazette.html", "https://radio.example/bridge", "https://times.example/norden-bridge"}
    assert ours <= set(articles)
    story = next(s for s in result["stories"] if "wire.txt" in s["article_ids"])
    assert ours <= set(story["article_ids"]), story["article_ids"]
    inputs = {Path(a["input"]).name for a in result["articles"]}
    assert {"rss_2.0_spiegel.xml", "clipped.warc.gz", "page.html.gz"} <= inputs
    assert any(a.get("language") == "de" for a in result["articles"])
    german = [a["id"] for a in result["articles"] if a.get("language") == "de"]
    assert not set(german) & set(story["article_ids"])
