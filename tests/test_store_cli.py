"""The real commands over a store: `digest --db`, `watch` (folders and feeds over loopback) and `serve`."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import httpx

from storyline.store import Store

from conftest import DATA, DEMO, ROOT, run_cli


def _stories_json(out: Path) -> dict:
    return json.loads((out / "stories.json").read_text(encoding="utf-8"))


def test_digest_db_persists_and_reports_the_whole_store(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "empty.txt").write_text("")
    run_cli("digest", str(DEMO / "harbor-ledger"), str(broken), "--db", str(db), "-o", str(tmp_path / "one"), "-q")
    first = _stories_json(tmp_path / "one")
    assert first["stats"]["articles"] == 2 and first["rejected"][0]["reason"] == "empty file"
    run_cli("digest", str(DEMO / "articles.jsonl"), "--db", str(db), "-o", str(tmp_path / "two"), "-q")
    second = _stories_json(tmp_path / "two")
    assert second["stats"]["articles"] == 2 + 11  # OUT is written from the whole store
    assert {a["id"] for a in first["articles"]} <= {a["id"] for a in second["articles"]}
    assert second["rejected"] == first["rejected"]
    with Store.open(db) as store:
        assert store.counts()["articles"] == 13
        assert [r["kind"] for r in store.runs()] == ["digest", "digest"]
    again = run_cli("digest", str(DEMO / "articles.jsonl"), "--db", str(db))
    assert "0 new articles, 0 new and 0 changed stories" in again.stderr
    assert "stories from 13 articles" in again.stderr  # the whole store's counts, without loading it


def test_digest_needs_out_or_db(tmp_path: Path) -> None:
    result = run_cli("digest", str(DEMO), check=False)
    assert result.returncode == 2 and "pass -o OUT" in result.stderr
    only_db = run_cli("digest", str(DEMO), "--db", str(tmp_path / "s.db"))
    assert "it holds" in only_db.stderr and not (tmp_path / "out").exists()
    bad = run_cli("digest", str(DEMO), "--db", str(tmp_path), check=False)
    assert bad.returncode == 2 and "it is a folder; pass a file path" in bad.stderr


def test_watch_reads_only_new_files(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ["2026-09-09-dockside-warehouse-fire.txt", "2026-09-16-millbrook-warehouse-fire.txt"]:
        shutil.copy(DEMO / "harbor-ledger" / name, folder / name)
    db = str(tmp_path / "w.db")
    first = run_cli("watch", str(folder), "--db", db, "--rounds", "1", "--interval", "0")
    assert "watch: 2 files, 0 feeds -> 2 new articles" in first.stderr
    shutil.copy(DEMO / "morning-signal" / "2026-09-16-carrow-valley-strike.txt", folder / "strike.txt")
    (folder / "empty.txt").write_text("")
    second = run_cli("watch", str(folder), "--db", db, "--rounds", "2", "--interval", "0")
    assert "watch: 2 files, 0 feeds -> 1 new articles (0 already stored, 1 rejected)" in second.stderr
    assert "watch: 0 files, 0 feeds -> 0 new articles" in second.stderr
    with Store.open(db) as store:
        everything = store.load_digest()
        assert {a.id for a in everything.articles} == {p.name for p in folder.iterdir() if p.name != "empty.txt"}
        assert sum(len(s.article_ids) for s in everything.stories) == 3
        assert store.counts()["pending"] == 0 and store.rejects()[1] == 1


class _Pages(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body or b"not here")

    def log_message(self, *args: object) -> None:
        return


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _loopback_config(tmp_path: Path) -> str:
    """Fetcher settings for a feed server on 127.0.0.1: the SSRF guard refuses loopback unless allowed."""
    config = tmp_path / "fetch.toml"
    config.write_text(f'[fetch]\nallow_private_hosts = true\nhost_delay = 0.0\nretries = 0\n'
                      f'cache_dir = "{tmp_path / "http-cache"}"\n')
    return str(config)


def test_watch_fetches_the_feeds_of_an_opml_list(tmp_path: Path) -> None:
    pages = sorted((DATA / "ingest" / "extraction" / "html").glob("*.html.gz"))[:2]
    _Pages.pages = {f"/{i}.html": gzip.decompress(p.read_bytes()) for i, p in enumerate(pages)}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    dead = f"http://127.0.0.1:{_free_port()}/gone.xml"
    outlines = "".join(f'<outline text="p{i}" xmlUrl="{base}/{i}.html"/>' for i in range(2))
    opml = tmp_path / "subs.opml"
    opml.write_text(f'<opml version="2.0"><body>{outlines}<outline xmlUrl="{base}/missing.xml"/>'
                    f'<outline xmlUrl="{dead}"/></body></opml>')
    db = str(tmp_path / "f.db")
    try:
        refused = run_cli("watch", "--feeds", str(opml), "--db", db, "--rounds", "1", "--interval", "0")
        result = run_cli("watch", "--feeds", str(opml), "--db", db, "--rounds", "1", "--interval", "0",
                         "--config", _loopback_config(tmp_path))
    finally:
        server.shutdown()
    # watch reads through ingest's fetcher: its SSRF guard refuses the loopback feeds unless allowed
    assert "watch: 0 files, 4 feeds -> 0 new articles (0 already stored, 4 rejected)" in refused.stderr
    assert refused.stderr.count("refused by the SSRF guard") == 4
    assert "watch: 0 files, 4 feeds -> 2 new articles (0 already stored, 2 rejected)" in result.stderr
    assert "HTTP 404" in result.stderr and "network error" in result.stderr
    with Store.open(db) as store:
        assert store.counts()["articles"] == 2 and store.counts()["stories"] >= 1
    not_opml = tmp_path / "x.opml"
    not_opml.write_text("<html><body>hi</body></html>")
    bad = run_cli("watch", "--feeds", str(not_opml), "--db", db, check=False)
    assert bad.returncode == 2 and "not OPML (root element <html>)" in bad.stderr


def test_serve_binds_loopback_and_refuses_open_binds_without_token(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    run_cli("digest", str(DEMO), "--db", db, "-q")
    refused = run_cli("serve", "--db", db, "--host", "0.0.0.0", check=False)
    assert refused.returncode == 2 and "pass --token" in refused.stderr
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "storyline.cli", "serve", "--db", db, "--port", str(port), "-q"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=2).json()
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else "serve exited"
                assert time.monotonic() < deadline, "serve did not answer within 30 s"
                time.sleep(0.2)
        assert status["counts"]["articles"] == 18
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
        assert httpx.post(f"http://127.0.0.1:{port}/api/ingest").status_code == 403
    finally:
        process.terminate()
        process.wait(10)


def test_watch_reads_a_real_feed_and_skips_what_it_stored(tmp_path: Path) -> None:
    from storyline.ingest import read_inputs

    feed = DATA / "ingest" / "feeds" / "feed-rs" / "atom" / "atom_mediarss_reddit_1.xml"
    expected, _, _ = read_inputs([str(feed)])
    assert len(expected) > 5
    _Pages.pages = {"/feed.xml": feed.read_bytes()}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    opml = tmp_path / "subs.opml"
    opml.write_text(f'<opml version="2.0"><body><outline xmlUrl="http://127.0.0.1:{server.server_address[1]}'
                    f'/feed.xml"/></body></opml>')
    db = str(tmp_path / "rss.db")
    try:
        result = run_cli("watch", "--feeds", str(opml), "--db", db, "--rounds", "2", "--interval", "0",
                         "--config", _loopback_config(tmp_path))
    finally:
        server.shutdown()
    assert f"watch: 0 files, 1 feeds -> {len(expected)} new articles (0 already stored" in result.stderr
    assert f"watch: 0 files, 1 feeds -> 0 new articles ({len(expected)} already stored" in result.stderr
    with Store.open(db) as store:
        assert {a.id for a in store.load_digest().articles} == {a.id for a in expected}
        assert store.counts()["pending"] == 0


def test_help_shows_the_threshold_default_and_what_serve_quiet_does() -> None:
    from click.testing import CliRunner

    from storyline.cli import main
    from storyline.config import ClusterOptions

    digest_help = CliRunner().invoke(main, ["digest", "--help"], terminal_width=200).output
    assert f"[default: {ClusterOptions().threshold}" in " ".join(digest_help.split())
    serve_help = " ".join(CliRunner().invoke(main, ["serve", "--help"], terminal_width=200).output.split())
    assert "progress bar" not in serve_help and "No start-up line, no access log" in serve_help
