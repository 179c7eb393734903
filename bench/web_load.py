"""Loopback load test of the web app: requests/s and p50/p99 latency with 10k stories, SQLite vs PostgreSQL.

    python bench/web_load.py                       # SQLite, and PostgreSQL when STORYLINE_TEST_POSTGRES is set
    python bench/web_load.py --stories 2000 --requests 300   # quicker

The store is filled with STORIES stories of two articles each, built from real article texts (ECB+, DUC 2003,
MultiLing 2011 in ../shared/data; every summary sentence is a real sentence of its article with real offsets).
`storyline serve` runs in its own process; 50 concurrent keep-alive connections (a minimal asyncio HTTP/1.1
client) send a bounded number of requests
to each endpoint (stopping early at the time cap). Baseline in the same run: a static file served by the same
server (the floor of the framework without any database work). Each endpoint is measured twice: "rendered" (every
request queries the store and renders: `web.cache_size = 0`) and "cached" (answers kept until the store changes,
the default; the request mix repeats pages as readers do: 4 list URLs, 500 story ids, 200 searches).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "src"))

from storyline.models import Article, Citation, Digest, Stats, Story, SummarySentence  # noqa: E402
from storyline.store import Store  # noqa: E402
from storyline.text.sentences import split_sentences  # noqa: E402

OUTLETS = [f"Outlet {name}" for name in "Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliet".split()]


def real_texts() -> list[str]:
    """Every article text of the evaluation sets (read from ../shared, never copied)."""
    texts = [json.loads(line)["text"] for line in (DATA / "ecbplus" / "dev.jsonl").open(encoding="utf-8")]
    for name in ("duc2003_task2.jsonl", "multiling2011_en.jsonl"):
        for line in (DATA / "mds" / name).open(encoding="utf-8"):
            texts += json.loads(line)["documents"]
    return [t for t in texts if len(t) > 200]


def build_digest(count: int, seed: int = 7) -> Digest:
    """``count`` stories of two real articles each, with cited 3-sentence summaries."""
    rng = random.Random(seed)
    texts = real_texts()
    split = {i: split_sentences(t, "x") for i, t in enumerate(texts)}
    start = datetime(2026, 7, 1, tzinfo=UTC)
    articles: list[Article] = []
    stories: list[Story] = []
    for n in range(count):
        members = []
        when = start + timedelta(minutes=rng.randrange(90 * 24 * 60))
        for k in range(2):
            i = rng.randrange(len(texts))
            article = Article(id=f"b{n:05d}-{k}", text=texts[i], title=split[i][0].text[:160],
                              source=OUTLETS[rng.randrange(len(OUTLETS))], language="en",
                              published=when + timedelta(hours=k * 3))
            articles.append(article)
            members.append((article, split[i]))
        summary = []
        for article, sentences in members:
            for s in sentences[:2]:
                summary.append(SummarySentence(text=s.text, citations=[Citation(article.id, s.start, s.end)]))
        stories.append(Story(id=f"s-bench{n:05d}", headline=members[0][1][0].text[:140],
                             article_ids=[a.id for a, _ in members], summary=summary[:3],
                             first_published=members[0][0].published, last_published=members[1][0].published))
    stats = Stats(inputs=len(articles), articles=len(articles), stories=len(stories))
    return Digest(articles=articles, stories=stories, rejected=[], stats=stats)


def fill(url: str, digest: Digest, chunk: int = 1000) -> float:
    """Save the digest ``chunk`` stories at a time; seconds taken."""
    started = time.perf_counter()
    with Store.open(url) as store:
        by_story = {s.id: s for s in digest.stories}
        ids = list(by_story)
        articles = {a.id: a for a in digest.articles}
        for i in range(0, len(ids), chunk):
            part = [by_story[s] for s in ids[i : i + chunk]]
            arts = [articles[a] for s in part for a in s.article_ids]
            store.save_digest(Digest(articles=arts, stories=part, rejected=[], stats=Stats()))
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, workers: int, cache: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "storyline.cli", "serve", "--db", url, "--port", str(port), "-q"]
    if workers > 1:
        command += ["--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "STORYLINE_WEB_CACHE_SIZE": "2048" if cache else "0"}
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/api/status", timeout=2)
            return process, base
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"storyline serve did not start for {url}") from None
            time.sleep(0.2)


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One keep-alive HTTP/1.1 GET on an open connection; the status code (the body is read and dropped)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: */*\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    if length is None:
        raise RuntimeError(f"{path}: response without content-length")
    await reader.readexactly(int(length.group(1)))
    return status


async def load(base: str, paths: list[str], requests: int, concurrency: int, cap: float) -> dict[str, float]:
    """Send up to ``requests`` GETs (cycling through ``paths``) from ``concurrency`` keep-alive connections.

    A minimal asyncio HTTP/1.1 client, so the load generator spends little of the 2 shared cores.
    """
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    deadline = time.perf_counter() + cap

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        await _get(reader, writer, paths[0])  # warm-up, not timed
        try:
            for n in counter:
                if time.perf_counter() > deadline:
                    return
                started = time.perf_counter()
                status = await _get(reader, writer, paths[n % len(paths)])
                latencies.append((time.perf_counter() - started) * 1000)
                errors += status != 200
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def endpoints(digest: Digest, rng: random.Random) -> dict[str, list[str]]:
    words = sorted({w.lower() for s in digest.stories[:2000] for w in re.findall(r"[A-Za-z]{6,}", s.headline)})
    queries = rng.sample(words, min(200, len(words)))
    story_ids = [s.id for s in digest.stories]
    return {
        "floor: static file": ["/static/style.css"],
        "story list /": ["/", "/?sort=biggest", "/?offset=50", "/?source=Outlet+Alpha"],
        "story page /stories/{id}": [f"/stories/{rng.choice(story_ids)}" for _ in range(500)],
        "search /api/search?q=": [f"/api/search?q={q}&limit=20" for q in queries],
        "JSON list /api/stories": ["/api/stories", "/api/stories?sort=biggest&offset=100"],
    }


def postgres_database(admin: str) -> tuple[str, str]:
    import psycopg

    name = "storyline_bench_" + uuid.uuid4().hex[:8]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rpartition("/")[0] + "/" + name, name


def drop_postgres(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1000, help="requests per endpoint (bounded)")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--single", type=int, default=100, help="requests from one client first (service time)")
    parser.add_argument("--cap", type=float, default=30.0, help="seconds per endpoint at most")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--postgres", default=os.environ.get("STORYLINE_TEST_POSTGRES"),
                        help="admin URL of a PostgreSQL server (default: $STORYLINE_TEST_POSTGRES)")
    args = parser.parse_args()

    digest = build_digest(args.stories)
    rng = random.Random(11)
    paths = endpoints(digest, rng)
    backends: list[tuple[str, str]] = []
    tmp = tempfile.mkdtemp(prefix="storyline-bench-")
    backends.append(("SQLite", str(Path(tmp) / "bench.db")))
    pg_name = None
    if args.postgres:
        url, pg_name = postgres_database(args.postgres)
        backends.append(("PostgreSQL", url))
    else:
        print("PostgreSQL: not measured (set STORYLINE_TEST_POSTGRES or pass --postgres URL)", file=sys.stderr)

    modes = {"rendered": False, "cached": True}
    results: dict[tuple[str, str, str], dict[str, float]] = {}
    fills: dict[str, float] = {}
    try:
        for label, url in backends:
            fills[label] = fill(url, digest)
            print(f"{label}: filled {args.stories} stories in {fills[label]:.1f} s", file=sys.stderr)
            for mode, cache in modes.items():
                process, base = start_server(url, args.workers, cache)
                try:
                    for name, endpoint_paths in paths.items():
                        if name.startswith("floor") and cache:
                            continue
                        one = asyncio.run(load(base, endpoint_paths, args.single, 1, args.cap))
                        r = asyncio.run(load(base, endpoint_paths, args.requests, args.concurrency, args.cap))
                        r["single_p50"] = one["p50"]
                        results[(label, name, mode)] = r
                        print(f"  {mode} {name}: {r['rps']:.0f} req/s p50 {r['p50']:.1f} ms p99 {r['p99']:.1f} ms",
                              file=sys.stderr)
                finally:
                    process.terminate()
                    process.wait(20)
    finally:
        if pg_name:
            drop_postgres(args.postgres, pg_name)

    print(f"\n{args.stories} stories ({2 * args.stories} articles); '1 client': {args.single} requests one after the "
          f"other (the service time); then {args.concurrency} concurrent clients, "
          f"{args.requests} requests per endpoint (cap {args.cap:.0f} s), {args.workers} server process(es), "
          f"{os.cpu_count()} cores shared by server and clients\n")
    labels = [label for label, _ in backends]
    header = "| endpoint | answers | " + " | ".join(
        f"{lb} 1 client p50 ms | {lb} req/s | {lb} p50 ms | {lb} p99 ms" for lb in labels)
    if len(labels) == 2:
        header += " | PG/SQLite req/s | p99 < 100 ms (SQLite / PG)"
    print(header + " |")
    print("|" + "---|" * (2 + 4 * len(labels) + (2 if len(labels) == 2 else 0)))
    floor = {lb: results[(lb, "floor: static file", "rendered")]["rps"] for lb in labels}
    for name in paths:
        for mode in modes:
            if (labels[0], name, mode) not in results:
                continue
            cells = []
            for lb in labels:
                r = results[(lb, name, mode)]
                share = "" if name.startswith("floor") else f" ({r['rps'] / floor[lb]:.2f}× floor)"
                errors = f", {r['errors']:.0f} errors" if r["errors"] else ""
                cells += [f"{r['single_p50']:.1f}", f"{r['rps']:.0f}{share}{errors}", f"{r['p50']:.1f}",
                          f"{r['p99']:.1f}"]
            if len(labels) == 2:
                a, b = results[(labels[0], name, mode)], results[(labels[1], name, mode)]
                cells += [f"{b['rps'] / a['rps']:.2f}",
                          f"{'yes' if a['p99'] < 100 else 'no'} / {'yes' if b['p99'] < 100 else 'no'}"]
            answers = "static" if name.startswith("floor") else mode
            print(f"| {name} | {answers} | " + " | ".join(cells) + " |")
    print("\nfill (save_digest, 1,000 stories per call): " +
          ", ".join(f"{lb} {fills[lb]:.1f} s ({args.stories / fills[lb]:.0f} stories/s)" for lb in labels))


if __name__ == "__main__":
    main()
