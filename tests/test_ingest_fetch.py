"""The polite fetcher, URL lists, OPML and feed teasers against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from loopback import Reply, serve, static
from storyline.config import FetchOptions, IngestOptions
from storyline.ingest import read_inputs
from storyline.ingest.fetch import Fetcher, FetchError

from conftest import run_cli

ARTICLE = """<html><head><title>{title}</title></head><body><nav>Home | World | Sport</nav><article><h1>{title}</h1>
<p>{body} The council met on Tuesday evening to discuss the proposal in detail with residents.</p>
<p>Officials said the work would begin next spring and take about eighteen months to finish.</p>
<p>Residents who spoke at the meeting raised concerns about noise, traffic and the cost of the plan.</p>
</article><footer>Copyright 2024 Example News</footer></body></html>"""


def page(title: str, body: str) -> bytes:
    return ARTICLE.format(title=title, body=body).encode("utf-8")


def options(tmp_path: Path, **changes: object) -> FetchOptions:
    base = {"host_delay": 0.0, "backoff": 0.01, "max_backoff": 0.05, "cache_dir": str(tmp_path / "cache"),
            "allow_private_hosts": True}  # the test server is on 127.0.0.1, which the SSRF guard refuses by default
    return FetchOptions(**{**base, **changes})


def test_robots_txt_is_obeyed_and_the_user_agent_is_sent(tmp_path: Path) -> None:
    routes = {
        "/robots.txt": static("User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/private/a.html": static(page("Secret", "Hidden text.")),
        "/public/a.html": static(page("Open", "Visible text.")),
    }
    with serve(routes) as site, Fetcher(options(tmp_path)) as fetcher:
        assert b"Visible text" in fetcher.get(site.base + "/public/a.html").body
        with pytest.raises(FetchError, match=r"robots\.txt"):
            fetcher.get(site.base + "/private/a.html")
        assert site.hits("/private/a.html") == 0
        agents = {headers.get("User-Agent") for _, _, headers in site.requests}
        assert agents == {FetchOptions().user_agent}
        assert fetcher.counts["disallowed by robots.txt"] == 1


def test_retries_with_backoff_on_503_and_429_then_gives_up(tmp_path: Path) -> None:
    def flaky(_request: object, seen: int) -> Reply:
        return Reply(503, b"busy") if seen < 2 else Reply(200, page("Back", "Up again."), {"Content-Type": "text/html"})

    routes = {
        "/flaky": flaky,
        "/limited": lambda _r, seen: Reply(429, b"slow down", {"Retry-After": "0"}),
    }
    with serve(routes) as site, Fetcher(options(tmp_path, retries=3)) as fetcher:
        assert b"Up again" in fetcher.get(site.base + "/flaky").body
        assert site.hits("/flaky") == 3
        with pytest.raises(FetchError, match="HTTP 429"):
            fetcher.get(site.base + "/limited")
        assert site.hits("/limited") == 4  # one try and three retries
        assert fetcher.counts["retried after HTTP 429"] == 3


def test_redirect_cap_body_cap_and_timeout(tmp_path: Path) -> None:
    routes = {
        "/loop": lambda _r, _s: Reply(302, b"", {"Location": "/loop"}),
        "/hop": lambda _r, _s: Reply(301, b"", {"Location": "/final"}),
        "/final": static(page("Final", "Arrived.")),
        "/big": static(b"x" * 50_000, "text/plain"),
    }
    with serve(routes) as site, Fetcher(options(tmp_path, max_bytes=20_000, max_redirects=3)) as fetcher:
        got = fetcher.get(site.base + "/hop")
        assert got.final_url.endswith("/final") and b"Arrived" in got.body
        with pytest.raises(FetchError, match="redirects"):
            fetcher.get(site.base + "/loop")
        with pytest.raises(FetchError, match="max_bytes"):
            fetcher.get(site.base + "/big")
        with pytest.raises(FetchError, match="not an http"):
            fetcher.get("ftp://127.0.0.1/file")


def test_per_host_delay_spaces_requests(tmp_path: Path) -> None:
    routes = {f"/{i}": static(page(f"P{i}", "Text.")) for i in range(3)}
    with serve(routes) as site, Fetcher(options(tmp_path, host_delay=0.3)) as fetcher:
        start = time.monotonic()
        for i in range(3):
            fetcher.get(f"{site.base}/{i}")
        # robots.txt + three pages: at least three gaps of 0.3 s
        assert time.monotonic() - start >= 0.85


def test_conditional_get_uses_the_cache_on_304(tmp_path: Path) -> None:
    def tagged(request: object, _seen: int) -> Reply:
        if request.headers.get("If-None-Match") == '"v1"':  # type: ignore[attr-defined]
            return Reply(304, b"", {"ETag": '"v1"'})
        return Reply(200, page("Cached", "Stored once."), {"ETag": '"v1"', "Content-Type": "text/html"})

    with serve({"/doc": tagged}) as site:
        with Fetcher(options(tmp_path)) as fetcher:
            first = fetcher.get(site.base + "/doc")
        with Fetcher(options(tmp_path)) as fetcher:
            second = fetcher.get(site.base + "/doc")
        assert not first.from_cache and second.from_cache and second.body == first.body
        assert site.requests[-1][2].get("If-None-Match") == '"v1"'


def test_url_list_with_fetch_reads_pages_and_without_fetch_says_how(tmp_path: Path) -> None:
    routes = {
        "/a.html": static(page("Bridge opens in Norden", "The new bridge in Norden opened to traffic on Friday.")),
        "/b.html": static(page("Bridge crowds", "Thousands walked across the Norden bridge on its first day.")),
        "/gone.html": lambda _r, _s: Reply(404, b"gone"),
    }
    with serve(routes) as site:
        listing = tmp_path / "urls.txt"
        listing.write_text(f"# today\n{site.base}/a.html\n{site.base}/b.html\n\n{site.base}/gone.html\n")
        articles, rejected, _ = read_inputs([str(listing)], IngestOptions(), options(tmp_path))
        assert articles == [] and "pass --fetch" in rejected[0].reason
        articles, rejected, _ = read_inputs([str(listing)], IngestOptions(), options(tmp_path, enabled=True))
        assert [a.id for a in articles] == [f"{site.base}/a.html", f"{site.base}/b.html"]
        assert articles[0].title == "Bridge opens in Norden" and "opened to traffic" in articles[0].text
        assert "Home | World" not in articles[0].text and articles[0].language == "en"
        assert [(r.input, r.reason) for r in rejected] == [(f"{site.base}/gone.html", "HTTP 404")]


def test_feed_teasers_are_replaced_by_the_fetched_page_and_opml_lists_feeds(tmp_path: Path) -> None:
    def feed(base: str) -> bytes:
        return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Norden Daily</title>
<item><title>Bridge opens</title><link>{base}/bridge.html</link><description>Short teaser.</description>
<pubDate>Fri, 01 Mar 2024 10:00:00 GMT</pubDate><author>desk@norden.example (Ann Lee)</author></item>
</channel></rss>""".encode()

    routes: dict = {"/bridge.html": static(page("Bridge opens", "The bridge in Norden opened on Friday morning."))}
    with serve(routes) as site:
        routes["/feed.xml"] = static(feed(site.base), "application/rss+xml")
        (tmp_path / "feed.xml").write_bytes(feed(site.base))
        (tmp_path / "list.opml").write_text(f"""<?xml version="1.0"?><opml version="2.0"><body>
<outline text="Norden" type="rss" xmlUrl="{site.base}/feed.xml"/></body></opml>""")
        teaser, _, _ = read_inputs([str(tmp_path / "feed.xml")], IngestOptions(min_article_chars=5))
        assert teaser[0].text == "Short teaser." and teaser[0].meta["teaser"] is True
        full, rejected, _ = read_inputs([str(tmp_path / "feed.xml")], IngestOptions(), options(tmp_path, enabled=True))
        assert "opened on Friday morning" in full[0].text and full[0].meta["fetched"] is True
        assert full[0].published.isoformat() == "2024-03-01T10:00:00+00:00" and full[0].source == "Norden Daily"
        assert not rejected
        opml = str(tmp_path / "list.opml")
        listed, rejected, _ = read_inputs([opml], IngestOptions(), options(tmp_path, enabled=True))
        assert not rejected
        assert listed[0].url == f"{site.base}/bridge.html"
        unfetched, rejected, _ = read_inputs([str(tmp_path / "list.opml")])
        assert not unfetched and "OPML lists 1 feeds; pass --fetch" in rejected[0].reason


def test_cli_digest_fetches_url_arguments(tmp_path: Path) -> None:
    routes = {"/robots.txt": static("User-agent: *\nAllow: /\n", "text/plain"),
              "/story.html": static(page("Harbour closes", "The harbour of Arlow closed for two days."))}
    with serve(routes) as site:
        env_cache = tmp_path / "cache"
        config = tmp_path / "settings.toml"
        config.write_text(f'[fetch]\nhost_delay = 0.0\ncache_dir = "{env_cache}"\nallow_private_hosts = true\n')
        out = tmp_path / "out"
        run_cli("digest", f"{site.base}/story.html", "--fetch", "--config", str(config), "-o", str(out), "-q")
        stories = json.loads((out / "stories.json").read_text())
        assert stories["stats"]["articles"] == 1
        failed = run_cli("digest", f"{site.base}/story.html", "-o", str(tmp_path / "o2"), check=False)
        assert failed.returncode != 0 and "pass --fetch" in failed.stderr


def test_charset_from_the_http_header_decodes_the_page(tmp_path: Path) -> None:
    text = ("Le maire de Norden a inauguré le pont vendredi matin. Les élèves ont traversé le pont à pied. "
            "Selon la préfecture, les travaux ont coûté quarante-deux millions d'euros au département.")
    body = f"<html><head><title>Pont inauguré</title></head><body><article><p>{text}</p></article></body></html>"
    routes = {"/fr.html": static(body.encode("cp1252"), "text/html; charset=windows-1252")}
    with serve(routes) as site:
        listing = tmp_path / "urls.txt"
        listing.write_text(f"{site.base}/fr.html\n")
        articles, rejected, _ = read_inputs([str(listing)], IngestOptions(), options(tmp_path, enabled=True))
    assert not rejected
    assert "inauguré" in articles[0].text and "préfecture" in articles[0].text and articles[0].language == "fr"
