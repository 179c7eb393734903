"""Live-path benchmark: batches of 100 real articles into stores of growing size, through ``service.add_articles``.

    python bench/live.py                              # stores of 1,000 and 10,000 articles, SQLite
    python bench/live.py --sizes 1000 --batches 5     # a quicker look
    python bench/live.py --sizes 1000,10000 --regroup-limit 600 --backend postgres

Articles are the real texts of ../shared/data (ECB+ dev, DUC 2003 task 2, MultiLing 2011 English, then the seeded
sentence-shuffled variants tests/realtexts.py makes), replayed **in publication order**: DUC documents carry their
date in their id (APW19981017.0151), MultiLing documents on their first line (2005/01/08), a variant has its
source's date; ECB+ documents have none and keep their place in the input. For each store size S:

1. the store is pre-filled with the first S articles through the same ``add_articles`` path, in batches of 1,000,
   with **cheap settings** (source comparison off, static citation check) to save time: the stored stories'
   clustering state is what the measured batches work against, and it does not depend on those two settings;
2. one warm-up batch of 100 (models load; reported apart), then ``--batches`` batches of 100 with **default
   settings**, one executor kept open as the worker keeps it for a drain: wall and CPU seconds per batch (this
   process and its workers), stories touched, peak RSS of the process tree;
3. in the same run, the baseline: ``storyline regroup`` (the full rebuild ``watch`` and the API used to run on every
   round) over a copy of the pre-filled store, with default settings, in a subprocess stopped after
   ``--regroup-limit`` seconds.

Prints a Markdown table (for bench/RESULTS.md) and writes bench/out/live.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]
OUT = ROOT / "bench" / "out"
BATCH = 100
PREFILL_BATCH = 1000

_DUC_DATE = re.compile(r"(?:APW|NYT|XIE)(\d{8})")
_ML_DATE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})")


def _date(doc_id: str, text: str) -> datetime | None:
    found = _DUC_DATE.search(doc_id)
    if found:
        return datetime.strptime(found.group(1), "%Y%m%d").replace(hour=12, tzinfo=UTC)
    found = _ML_DATE.match(text)
    if found and doc_id.startswith("multiling"):
        return datetime(int(found.group(1)), int(found.group(2)), int(found.group(3)), 12, tzinfo=UTC)
    return None


def replay(count: int) -> list:
    """``count`` real articles in publication order (undated ones keep their place among the dated)."""
    from storyline import Article

    from realtexts import real_articles

    records = list({r["id"]: r for r in real_articles(count + 200, seed=2026)}.values())[:count]  # ids once
    dates = {}
    for record in records:
        source = record["id"].split("~v")[0]
        dates.setdefault(source, _date(source, record["text"]))
    articles = [Article(id=r["id"], text=r["text"], published=dates[r["id"].split("~v")[0]], language="en",
                        input="bench/live.py") for r in records]
    dated = iter(sorted((a for a in articles if a.published), key=lambda a: (a.published, a.id)))
    return [a if a.published is None else next(dated) for a in articles]


class PeakRSS:
    """Largest summed RSS of this process and its children, sampled every 0.2 s while running."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = self.me.memory_info().rss
        for child in self.me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except Exception:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self._sample())

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


def cpu_seconds() -> float:
    """CPU seconds of this process and its live children (the executor's workers)."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except Exception:
            continue
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[rank]


def database(backend: str, name: str) -> str:
    """A fresh database URL (SQLite file under bench/out, or a new PostgreSQL database)."""
    if backend == "sqlite":
        path = OUT / f"{name}.db"
        for extra in ("", "-wal", "-shm", ".writer.lock"):
            Path(str(path) + extra).unlink(missing_ok=True)
        return str(path)
    import psycopg

    admin = os.environ["STORYLINE_TEST_POSTGRES"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rpartition("/")[0] + "/" + name


def copy_database(backend: str, source: str, name: str) -> str:
    if backend == "sqlite":
        target = database(backend, name)
        shutil.copy(source, target)
        return target
    import psycopg

    admin = os.environ["STORYLINE_TEST_POSTGRES"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source.rpartition("/")[2]}"')
    return admin.rpartition("/")[0] + "/" + name


def measure(size: int, batches: int, backend: str) -> dict:
    """Pre-fill a store of ``size`` articles, then time 1 warm-up + ``batches`` batches of 100 with defaults."""
    from storyline import Settings
    from storyline.scale import open_executor
    from storyline.service.live import add_articles, group_into_store
    from storyline.store import Store

    articles = replay(size + (batches + 1) * BATCH)
    url = database(backend, f"storyline_live_{size}")
    cheap = Settings(progress=False).with_overrides({"compare.enabled": False, "summary.verifier": "static"})
    started = time.perf_counter()
    with Store.open(url) as store, open_executor(cheap.scale, progress=False) as executor:
        for start in range(0, size, PREFILL_BATCH):
            add_articles(store, articles[start : min(size, start + PREFILL_BATCH)], cheap, kind="prefill",
                         executor=executor)
            print(f"  prefill {min(size, start + PREFILL_BATCH):,}/{size:,} "
                  f"({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
        prefill_s = time.perf_counter() - started
        held = store.counts()
    regroup_copy = copy_database(backend, url, f"storyline_live_{size}_regroup")
    defaults = Settings(progress=False)
    rows = []
    with Store.open(url) as store, open_executor(defaults.scale, progress=False) as executor, PeakRSS() as peak:
        for number in range(batches + 1):
            batch = articles[size + number * BATCH : size + (number + 1) * BATCH]
            wall0, cpu0 = time.perf_counter(), cpu_seconds()
            result, saved = group_into_store(store, batch, defaults, kind="bench", executor=executor)
            rows.append({"wall": time.perf_counter() - wall0, "cpu": cpu_seconds() - cpu0,
                         "touched": len(result.stories), "new": saved.stories_new, "changed": saved.stories_changed,
                         "merged": saved.stories_emptied})
            print(f"  batch {number} into {size + number * BATCH:,}: {rows[-1]}", file=sys.stderr, flush=True)
    measured = rows[1:]
    walls, cpus = [r["wall"] for r in measured], [r["cpu"] for r in measured]
    return {"size": size, "backend": backend, "stored_stories": held["stories"], "prefill_s": prefill_s,
            "warmup_wall": rows[0]["wall"], "batches": measured, "wall_p50": statistics.median(walls),
            "wall_p99": percentile(walls, 0.99), "cpu_p50": statistics.median(cpus), "cpu_p99": percentile(cpus, 0.99),
            "touched_p50": statistics.median(r["touched"] for r in measured),
            "touched_max": max(r["touched"] for r in measured), "peak_mb": peak.peak / 2**20,
            "regroup_url": regroup_copy}


def regroup_baseline(url: str, limit: float) -> dict:
    """``storyline regroup --db`` with default settings in a subprocess: wall seconds, or None when stopped."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-m", "storyline.cli", "regroup", "--db", url, "-q"], env=env,
                       timeout=limit, check=True, capture_output=True)
    except subprocess.TimeoutExpired:
        return {"wall": None, "limit": limit}
    return {"wall": time.perf_counter() - started, "limit": limit}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="store sizes, comma-separated [1000,10000]")
    parser.add_argument("--batches", type=int, default=5, help="measured batches of 100 per size [5]")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--regroup-limit", type=float, default=600.0,
                        help="seconds the regroup baseline may run before it is stopped [600]")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.child is not None:
        print(json.dumps(measure(args.child, args.batches, args.backend)))
        return
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        print(f"store of {size:,} articles ({args.backend})", file=sys.stderr, flush=True)
        child = subprocess.run([sys.executable, __file__, "--child", str(size), "--batches", str(args.batches),
                                "--backend", args.backend], capture_output=False, stdout=subprocess.PIPE,
                               text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        result = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"  regroup baseline (limit {args.regroup_limit:.0f} s)", file=sys.stderr, flush=True)
        result["regroup"] = regroup_baseline(result["regroup_url"], args.regroup_limit)
        results.append(result)
        (OUT / "live.json").write_text(json.dumps(results, indent=1))
    base = results[0]
    print(f"| store articles | stored stories | batch wall p50 s | p99 s | CPU p50 s | p99 s | wall / {base['size']:,} "
          "store | stories touched p50 (max) | peak RSS MB | warm-up batch s | regroup baseline s | "
          "regroup / batch |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        regroup = r["regroup"]["wall"]
        shown = f"{regroup:.0f}" if regroup is not None else f"> {r['regroup']['limit']:.0f} (stopped)"
        limit = r["regroup"]["limit"]
        ratio = f"{regroup / r['wall_p50']:.0f}x" if regroup is not None else f"> {limit / r['wall_p50']:.0f}x"
        print(f"| {r['size']:,} | {r['stored_stories']:,} | {r['wall_p50']:.2f} | {r['wall_p99']:.2f} | "
              f"{r['cpu_p50']:.2f} | {r['cpu_p99']:.2f} | {r['wall_p50'] / base['wall_p50']:.2f}x | "
              f"{r['touched_p50']:.0f} ({r['touched_max']}) | {r['peak_mb']:.0f} | {r['warmup_wall']:.1f} | "
              f"{shown} | {ratio} |")
    prefills = ", ".join(f"{r['size']:,}: {r['prefill_s']:.0f} s" for r in results)
    print(f"\n{args.batches} measured batches of {BATCH} per size, default settings; pre-fill with compare off and "
          f"the static verifier ({prefills}).")


if __name__ == "__main__":
    main()
