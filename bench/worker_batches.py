"""What the worker's batch size costs: the same queue of posted articles drained with batches of each size.

    python bench/worker_batches.py                                  # 400 queued articles, sizes 100,200,400
    python bench/worker_batches.py --queued 200 --sizes 50,100 --articles 200

A SQLite store is filled once by the real command, `storyline digest --db` (``--articles`` real texts: ECB+, DUC 2003,
MultiLing 2011 from ../shared/data, as bench/load.py does); each size then starts from a copy of it, receives the same
``--queued`` new real articles as `POST /api/articles` stores them (jobs of 2, `jobs.submit`) and is drained by
`service.worker.drain` (default settings, its own process pool) with ``live.batch_size`` = that size. The first size
is the baseline (the default, 100). Per size: batches, wall and CPU seconds (this process and its pool), articles
grouped per minute, batch seconds, the longest write-lock hold of a batch, and the stories the batches touched.
Whether bigger batches keep up better when the queue is long is the question (issue 14).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from realtexts import real_articles, write_articles  # noqa: E402


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the drain's pool, joined when it ends)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def drain_with(db: str, queued: list[dict[str, str]], size: int) -> dict[str, float]:
    from storyline import Article, Settings
    from storyline.service.worker import drain
    from storyline.store import Store

    settings = Settings(progress=False).with_overrides({"live.batch_size": size})
    with Store.open(db) as store:
        for start in range(0, len(queued), 2):
            store.jobs.submit([Article(id=r["id"], text=r["text"]) for r in queued[start : start + 2]])
        batches: list[dict] = []
        began_cpu, began = cpu_seconds(), time.perf_counter()
        done = drain(store, settings, report=lambda job: batches.extend(job["saved"].get("batches", [])))
        wall, cpu = time.perf_counter() - began, cpu_seconds() - began_cpu
        unique = {b["run_id"]: b for b in batches}.values()
        touched = [sum(run["saved"].get(k, 0) for k in ("stories_new", "stories_changed", "stories_unchanged"))
                   for run in store.runs(limit=1000) if run["kind"] == "worker"]
        pending = store.counts()["pending"]
    return {"batches": len(unique), "articles": done.articles, "wall": wall, "cpu": cpu,
            "per_minute": done.articles / (wall / 60), "batch_p50": statistics.median(b["seconds"] for b in unique),
            "batch_max": max(b["seconds"] for b in unique),
            "lock_p50": statistics.median(b["write_lock_max"] for b in unique),
            "lock_max": max(b["write_lock_max"] for b in unique), "touched": statistics.median(touched),
            "touched_sum": sum(touched), "pending": pending}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=400, help="articles in the store before the queue")
    parser.add_argument("--queued", type=int, default=400, help="articles posted and waiting for the worker")
    parser.add_argument("--sizes", default="100,200,400", help="live.batch_size values; the first is the baseline")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    os.environ.update({k: env[k] for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")})
    with tempfile.TemporaryDirectory(prefix="storyline-batches-") as tmp:
        filled = Path(tmp) / "filled.db"
        started = time.monotonic()
        paths = write_articles(Path(tmp) / "fill", args.articles, seed=3)
        subprocess.run([sys.executable, "-m", "storyline.cli", "digest", *map(str, paths), "--db", str(filled), "-q"],
                       env=env, check=True)
        print(f"store filled with {args.articles} articles by `storyline digest --db` in "
              f"{time.monotonic() - started:.0f} s", flush=True)
        queued = [{"id": f"queued/{r['id']}", "text": r["text"]}
                  for r in real_articles(args.articles + args.queued, seed=4)][args.articles:]
        random.Random(5).shuffle(queued)
        rows = []
        for size in sizes:
            db = Path(tmp) / f"size{size}.db"
            shutil.copy(filled, db)
            rows.append((size, drain_with(str(db), queued, size)))
            print(f"batch size {size}: done in {rows[-1][1]['wall']:.0f} s", flush=True)
    base = rows[0][1]
    print(f"\n{args.queued} queued articles (jobs of 2) into a store of {args.articles}, default settings:")
    print("| live.batch_size | batches | wall s | CPU s | articles / min | vs first | batch s p50 / max | "
          "write lock longest p50 / max ms | stories touched per batch p50 (all) | left pending |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, r in rows:
        print(f"| {size} | {r['batches']} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['per_minute']:.0f} | "
              f"{r['per_minute'] / base['per_minute']:.2f}x | {r['batch_p50']:.1f} / {r['batch_max']:.1f} | "
              f"{r['lock_p50'] * 1000:.0f} / {r['lock_max'] * 1000:.0f} | {r['touched']:.0f} "
              f"({r['touched_sum']:.0f}) | {r['pending']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
