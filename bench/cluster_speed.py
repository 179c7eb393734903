"""Speed and memory of near-duplicate detection + clustering at 1k, 10k and 100k articles, batch and incremental.

    python bench/cluster_speed.py                  # 1k, 10k, 100k
    python bench/cluster_speed.py --sizes 1000 10000

Inputs are built from the real texts in ../shared/data (ECB+ dev, DUC 2003, MultiLing 2011: 1,170 articles):
article i is base document ``i mod 1170`` with a random ~70% of its sentences kept (in order) plus two sentences
of another random document, so the copies are related (same event) without being verbatim duplicates, and the
cluster structure grows with n the way a real stream's does. Each measurement runs in a fresh subprocess so its
peak RSS (ru_maxrss) is its own. Baseline in the same run: the foundation's TF-IDF + scikit-learn average-link
agglomerative clustering on a precomputed dense n x n cosine-distance matrix (not run where that matrix alone
would take more than 2 GB).
Incremental: a store of n articles is built, then a batch of 200 new articles is assigned; the table shows the
time of that batch, which should not grow linearly with n.

    python bench/cluster_speed.py --store-dedup --sizes 10000 [--postgres URL] [--full-digest]

Cross-run near-duplicates: n articles in a real store (SQLite file, or PostgreSQL), their dedup keys built, then
the incremental path for 200 new articles timed without and with the check against the store (best of 3): the
new articles' keys and in-run linking, the store lookup, and the incremental clustering of the batch.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data"
BATCH = 200


def base_texts() -> list[str]:
    texts = [json.loads(line)["text"] for line in (DATA / "ecbplus" / "dev.jsonl").open(encoding="utf-8")]
    for name in ("duc2003_task2.jsonl", "multiling2011_en.jsonl"):
        for line in (DATA / "mds" / name).open(encoding="utf-8"):
            texts += json.loads(line)["documents"]
    return texts


def make_articles(n: int, seed: int = 0) -> list:
    from storyline.models import Article

    texts = base_texts()
    split = [re.split(r"(?<=[.!?])\s+", t) for t in texts]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        base = split[i % len(split)]
        keep = [s for s in base if rng.random() < 0.7] or base[:1]
        other = split[rng.randrange(len(split))]
        extra = rng.sample(other, min(2, len(other)))
        out.append(Article(id=f"a{i:06d}", text=" ".join(keep + extra)))
    return out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, n: int) -> dict:
    from storyline.cluster import cluster_articles
    from storyline.config import ClusterOptions, DedupOptions
    from storyline.dedup import find_duplicates

    articles = make_articles(n + (BATCH if kind == "incremental" else 0))
    start = time.perf_counter()
    if kind == "storyline":
        links = find_duplicates(articles, DedupOptions())
        dedup_s = time.perf_counter() - start
        groups = cluster_articles([a for a in articles if a.id not in links], ClusterOptions())
        return {"seconds": time.perf_counter() - start, "dedup_s": dedup_s, "stories": len(groups),
                "duplicates": len(links), "peak_mb": peak_mb()}
    if kind == "baseline":
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.feature_extraction.text import TfidfVectorizer

        links = find_duplicates(articles, DedupOptions())
        originals = [a.text for a in articles if a.id not in links]
        matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(originals)
        distances = 1.0 - (matrix @ matrix.T).toarray()
        labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                         distance_threshold=0.78).fit_predict(distances)
        return {"seconds": time.perf_counter() - start, "stories": int(labels.max()) + 1, "peak_mb": peak_mb()}
    from storyline.cluster.incremental import ClusterState, assign

    options = ClusterOptions()
    state = ClusterState.empty(options)
    assign(state, articles[:n], options)
    build = time.perf_counter() - start
    start = time.perf_counter()
    result = assign(state, articles[n:], options)
    return {"seconds": time.perf_counter() - start, "build_s": build, "stories": len(state.stories),
            "joined": len(result.joined_stories), "new": len(result.new_stories), "peak_mb": peak_mb()}


def measure_store_dedup(n: int, postgres: str | None) -> dict:
    """The incremental path for 200 new articles with and without the cross-run check against an n-article store."""
    import tempfile
    import uuid

    from sqlalchemy import delete, func, select, update

    from storyline.cluster.incremental import ClusterState, assign
    from storyline.config import ClusterOptions, DedupOptions
    from storyline.dedup import dedup_key, link_duplicates
    from storyline.dedup.stored import backfill, link_to_stored
    from storyline.store import Store
    from storyline.store.tables import ArticleRow, DedupBandRow, DedupKeyRow

    articles = make_articles(n + BATCH)
    stored, batch = articles[:n], articles[n:]
    options, cluster = DedupOptions(), ClusterOptions()
    with tempfile.TemporaryDirectory() as folder:
        url, admin, name = str(Path(folder) / "store.db"), None, ""
        if postgres:
            import psycopg

            admin, name = postgres, "storyline_bench_" + uuid.uuid4().hex[:10]
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = f"{admin.rpartition('/')[0]}/{name}"
        try:
            with Store.open(url) as store:
                start = time.perf_counter()
                store.save_articles(stored)
                with store.session() as s:  # every stored article in a story (each its own: grouping is not timed)
                    s.execute(update(ArticleRow).values(story_id=ArticleRow.id))
                save_s = time.perf_counter() - start
                start = time.perf_counter()
                backfill(store, options)
                index_s = time.perf_counter() - start
                state = ClusterState.empty(cluster)
                assign(state, stored, cluster)
                in_runs, lookups, found = [], [], 0
                for _ in range(3):  # best of 3: the new articles are not saved, so each repeat sees the same store
                    start = time.perf_counter()
                    keys = [dedup_key(a, options) for a in batch]
                    links = link_duplicates(keys, options)
                    in_runs.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    result = link_to_stored(keys, links, store, options)
                    lookups.append(time.perf_counter() - start)
                    found = result.of_stored
                    with store.session() as s:  # so that the next repeat writes the batch's keys again
                        for table in (DedupBandRow, DedupKeyRow):
                            s.execute(delete(table).where(table.article_id.in_([a.id for a in batch])))
                start = time.perf_counter()  # the rest of the incremental path, the same with or without the check
                assign(state, [a for a in batch if a.id not in result.duplicate_of], cluster)
                clustering = time.perf_counter() - start
                without = min(in_runs) + clustering
                with_store = without + min(lookups)
                link_to_stored(keys, links, store, options)  # the batch's keys stay, as after a real run
                with store.session() as s:
                    band_rows = int(s.scalar(select(func.count()).select_from(DedupBandRow)) or 0)
        finally:
            if admin:
                import psycopg

                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {"save_s": save_s, "index_s": index_s, "without_s": without, "with_s": with_store,
            "found": found, "band_rows": band_rows, "backend": "postgresql" if postgres else "sqlite"}


class _BlobsOnly:
    """The store seen without its near-duplicate keys: ``digest`` then skips the cross-run check."""

    def __init__(self, store: object) -> None:
        self.store = store

    def get_blob(self, key: str) -> bytes | None:
        return self.store.get_blob(key)  # type: ignore[attr-defined]

    def put_blob(self, key: str, data: bytes) -> None:
        self.store.put_blob(key, data)  # type: ignore[attr-defined]

    def articles(self, ids: list[str]) -> list:
        return self.store.articles(ids)  # type: ignore[attr-defined]


def measure_store_digest(n: int) -> dict:
    """The whole incremental ``digest`` of 200 new articles into an n-article SQLite store, without and with the
    cross-run check, each on its own copy of the same store (a run saves clustering state, so runs cannot share)."""
    import shutil
    import tempfile

    from storyline import Settings, digest
    from storyline.config import CompareOptions
    from storyline.store import Store

    articles = make_articles(n + BATCH)
    settings = Settings(progress=False, compare=CompareOptions(enabled=False))
    out: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base.db"
        with Store.open(base) as store:
            start = time.perf_counter()
            store.save_digest(digest(articles[:n], settings=settings, incremental=store))
            out["build_s"] = time.perf_counter() - start
        for label in ("without", "with", "without2", "with2"):
            copy = Path(folder) / f"{label}.db"
            shutil.copy(base, copy)
            with Store.open(copy) as store:
                target = store if label.startswith("with") and not label.startswith("without") else _BlobsOnly(store)
                start = time.perf_counter()
                result = digest(articles[n:], settings=settings, incremental=target)
                out[f"{label}_s"] = time.perf_counter() - start
                out[f"{label}_dups"] = result.stats.duplicates
    return {"without_s": min(out["without_s"], out["without2_s"]), "with_s": min(out["with_s"], out["with2_s"]),
            "build_s": out["build_s"], "dups_without": out["without_dups"], "dups_with": out["with_dups"]}


def run_child(kind: str, n: int, postgres: str | None = None) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    extra = ["--postgres", postgres] if postgres else []
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(n), *extra], capture_output=True, text=True,
                          env=env, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} at {n} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--store-dedup", action="store_true",
                        help="only the cross-run near-duplicate check: +200 articles into an n-article store")
    parser.add_argument("--full-digest", action="store_true",
                        help="with --store-dedup: also time the whole incremental digest (minutes: it summarizes "
                             "every story the batch touches)")
    parser.add_argument("--postgres", default=None, metavar="URL",
                        help="with --store-dedup: also a PostgreSQL store (a database is created and dropped there)")
    args = parser.parse_args()
    if args.child:
        kind, n = args.child[0], int(args.child[1])
        if kind == "store-digest":
            result = measure_store_digest(n)
        else:
            result = measure_store_dedup(n, args.postgres) if kind == "store-dedup" else measure(kind, n)
        print(json.dumps(result))
        return
    if args.store_dedup:
        print("| store | stored articles | band rows | +200 without store check s | +200 with store check s | ratio | "
              "copies of stored articles found | save n s | index n s |")
        print("|---|---|---|---|---|---|---|---|---|")
        for n in args.sizes:
            for postgres in [None, args.postgres] if args.postgres else [None]:
                r = run_child("store-dedup", n, postgres)
                print(f"| {r['backend']} | {n:,} | {r['band_rows']:,} | {r['without_s']:.2f} | {r['with_s']:.2f} | "
                      f"{r['with_s'] / r['without_s']:.2f} | {r['found']} | {r['save_s']:.1f} | {r['index_s']:.1f} |",
                      flush=True)
        if not args.full_digest:
            return
        print("\nThe whole incremental `digest` of the 200 (SQLite, comparison off), best of 2, copies of one store:")
        print("| stored articles | digest without store check s | with s | ratio | duplicates without | with | "
              "build the store s |")
        print("|---|---|---|---|---|---|---|")
        for n in args.sizes:
            r = run_child("store-digest", n)
            print(f"| {n:,} | {r['without_s']:.2f} | {r['with_s']:.2f} | {r['with_s'] / r['without_s']:.2f} | "
                  f"{r['dups_without']} | {r['dups_with']} | {r['build_s']:.0f} |", flush=True)
        return
    print("| articles | storyline dedup+cluster s | articles/s | peak RSS MB | stories | baseline TF-IDF+agglo s | "
          "baseline peak MB | speed ratio | incremental: +200 articles s | incr. articles/s | incr. peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        ours = run_child("storyline", n)
        dense_gb = n * n * 8 / 1e9
        base = run_child("baseline", n) if dense_gb < 2 else None
        incr = run_child("incremental", n)
        base_s = f"{base['seconds']:.1f}" if base else f"not run (n² matrix {dense_gb:.0f} GB)"
        base_mb = f"{base['peak_mb']:.0f}" if base else "–"
        ratio = f"{base['seconds'] / ours['seconds']:.1f}x" if base else "–"
        print(f"| {n:,} | {ours['seconds']:.1f} (dedup {ours['dedup_s']:.1f}) | {n / ours['seconds']:.0f} | "
              f"{ours['peak_mb']:.0f} | {ours['stories']:,} | {base_s} | {base_mb} | {ratio} | "
              f"{incr['seconds']:.2f} | {BATCH / incr['seconds']:.0f} | {incr['peak_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
