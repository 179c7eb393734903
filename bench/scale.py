"""Scale-out benchmark: the same real-text input through one process, the process pool and a Dask LocalCluster.

    python bench/scale.py                    # 20,000 articles, 2 workers, all three engines
    python bench/scale.py --articles 3000    # a quicker look

The input is built at bench time into bench/out/scale-input/ (git-ignored) from the real texts in ../shared/data:
every ECB+ dev document, every DUC 2003 task-2 document and every MultiLing 2011 English document as it is, then
sentence-shuffled variants of them (a seeded random 50-100 % of each document's sentences, shuffled, each with a
distinct id ``<source id>~v<k>``) until the count is reached, written as JSONL files of 500 articles so reading is
partitioned too. Each engine runs in its own subprocess; peak memory is the largest summed RSS of that process and
all its children (workers included), sampled every 0.2 s. Every engine must produce the same digest (fingerprint).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from proctree import run_with_peak  # noqa: E402  (bench/, the script's own folder, is on sys.path)

from realtexts import real_documents  # noqa: E402  (the loader the crash and load benchmarks use too)

OUT = ROOT / "bench" / "out"
PER_FILE = 500
ENGINES = ("local", "process", "dask")


def build_input(count: int, folder: Path, seed: int = 2026) -> Path:
    """Write ``count`` articles (the real documents, then shuffled variants) as JSONL files under ``folder``."""
    from storyline.text.sentences import split_spans

    manifest = folder / "manifest.json"
    wanted = {"articles": count, "seed": seed, "per_file": PER_FILE}
    if manifest.exists() and json.loads(manifest.read_text()) == wanted:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.jsonl"):
        old.unlink()
    rng = random.Random(seed)
    docs = real_documents()
    spans = [split_spans(text) for _, text in docs]
    records = [{"id": doc_id, "text": text} for doc_id, text in docs[:count]]
    variant = 0
    while len(records) < count:
        variant += 1
        for (doc_id, text), sentences in zip(docs, spans, strict=True):
            if len(records) >= count:
                break
            keep = max(1, round(len(sentences) * rng.uniform(0.5, 1.0)))
            chosen = rng.sample(sentences, keep)
            records.append({"id": f"{doc_id}~v{variant}", "text": " ".join(text[s:e] for s, e in chosen)})
    for start in range(0, len(records), PER_FILE):
        lines = (json.dumps(r, ensure_ascii=False) for r in records[start : start + PER_FILE])
        (folder / f"part-{start // PER_FILE:04d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest.write_text(json.dumps(wanted))
    return folder


def run_one(engine: str, folder: Path, workers: int) -> dict:
    """Run the pipeline stage by stage on ``engine`` and time each stage (in this process)."""
    from storyline.config import ScaleOptions, Settings
    from storyline.pipeline import DEFAULT_STAGES, RunState
    from storyline.scale import open_executor
    from storyline.scale.reading import read_inputs_parallel
    from storyline.serialize import to_plain

    settings = Settings(progress=False, scale=ScaleOptions(engine=engine, workers=workers))
    import psutil

    me = psutil.Process()

    def workers_cpu() -> float:
        """CPU seconds used so far by every process this one started (pool workers, Dask nannies and workers)."""
        total = 0.0
        for child in me.children(recursive=True):
            try:
                used = child.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += used.user + used.system
        return total

    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    wcpu: dict[str, float] = {}
    began = time.perf_counter()
    from storyline.scale.partition import warm_up

    warm_up()  # the same imports in this process as start() does in workers: stages time work, not imports
    with open_executor(settings.scale, progress=False) as executor:
        start = getattr(executor, "start", None)
        if start is not None:
            start()
        times["startup"] = time.perf_counter() - began
        clock, used, spent = time.perf_counter(), time.process_time(), workers_cpu()
        articles, rejected, files = read_inputs_parallel([str(folder)], settings.ingest, executor)
        times["read"], cpu["read"] = time.perf_counter() - clock, time.process_time() - used
        wcpu["read"] = workers_cpu() - spent
        state = RunState(settings=settings, articles=articles, rejected=rejected, inputs=files)
        for make in DEFAULT_STAGES:
            stage = make()
            clock, used, spent = time.perf_counter(), time.process_time(), workers_cpu()
            stage.run(state, executor)
            times[stage.name], cpu[stage.name] = time.perf_counter() - clock, time.process_time() - used
            wcpu[stage.name] = workers_cpu() - spent
            print(f"bench: {engine} {stage.name} {times[stage.name]:.1f} s", file=sys.stderr, flush=True)
    times["total"] = time.perf_counter() - began
    stories = sorted((to_plain(s) for s in state.stories), key=lambda s: s["id"])
    links = sorted((a.id, a.duplicate_of or "") for a in state.articles)
    fingerprint = hashlib.sha256(json.dumps([stories, links], sort_keys=True, default=str).encode()).hexdigest()
    return {
        "engine": engine,
        "articles": len(state.articles),
        "duplicates": sum(1 for a in state.articles if a.duplicate_of),
        "stories": len(state.stories),
        "times": times,
        "cpu": cpu,
        "workers_cpu": wcpu,
        "fingerprint": fingerprint[:16],
    }


def measure(engine: str, folder: Path, workers: int) -> dict:
    """Run one engine in a subprocess and sample the peak RSS of its whole process tree."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    command = [sys.executable, __file__, "--one", engine, "--input", str(folder), "--workers", str(workers)]
    done, _, peak_mb = run_with_peak(command, env)
    out = done.stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = peak_mb
    return result


def table(results: list[dict], workers: int, load: float) -> str:
    """Markdown table: articles/s per stage and engine, with the ratio to one process."""
    base = results[0]
    n = base["articles"]
    header = (
        "| stage | "
        + f"{base['engine']} CPU ms/article | "
        + " | ".join(f"{r['engine']} art/s" + ("" if r is base else f" | {r['engine']} ×") for r in results)
        + " |"
    )
    lines = [header, "|" + "---|" * (2 + 2 * len(results) - 1)]
    for stage in base["times"]:
        if stage == "total":
            continue
        cells = []
        for r in results:
            seconds = r["times"][stage]
            cells.append(f"{seconds:.1f} s" if stage == "startup" else f"{n / seconds:,.0f}")
            if r is not base:
                cells.append("" if stage == "startup" else f"{base['times'][stage] / seconds:.2f}")
        cost = base["cpu"].get(stage)
        cost_cell = f"{1000 * cost / n:.2f}" if cost is not None else ""
        lines.append(f"| {stage} | {cost_cell} | " + " | ".join(cells) + " |")
    cells = []
    for r in results:
        cells.append(f"**{n / r['times']['total']:,.0f}** ({r['times']['total']:.0f} s)")
        if r is not base:
            cells.append(f"**{base['times']['total'] / r['times']['total']:.2f}**")
    total_cost = 1000 * sum(base["cpu"].values()) / n
    lines.append(f"| total | {total_cost:.2f} | " + " | ".join(cells) + " |")
    cells = []
    for r in results:
        cells.append(f"{r['peak_mb']:,.0f} MB")
        if r is not base:
            cells.append(f"{r['peak_mb'] / base['peak_mb']:.2f}")
    lines.append("| peak memory (process tree) | | " + " | ".join(cells) + " |")
    same = len({r["fingerprint"] for r in results}) == 1
    lines.append("")
    lines.append(
        f"{n:,} articles ({base['duplicates']:,} near-duplicates, {base['stories']:,} stories); "
        f"{workers} workers; same digest on every engine: {'yes' if same else 'NO'} "
        f"({', '.join(r['engine'] + ' ' + r['fingerprint'] for r in results)}); "
        f"load average before the run {load:.1f} on {os.cpu_count()} cores (other users share the machine)"
    )
    return "\n".join(lines)


def cpu_table(results: list[dict], workers: int) -> str:
    """CPU accounting per stage: driver + workers CPU ms per article, and the wall-clock rate that CPU implies
    when each worker has a core of its own (driver time + worker time / workers, no overlap assumed)."""
    n = results[0]["articles"]
    lines = [
        "| stage | "
        + " | ".join(f"{r['engine']} CPU ms/article (driver + workers)" for r in results)
        + " | "
        + " | ".join(f"{r['engine']} art/s on {workers if r is not results[0] else 1} free core(s)" for r in results)
        + " |",
        "|" + "---|" * (1 + 2 * len(results)),
    ]
    stages = [s for s in results[0]["cpu"] if s != "startup"]
    totals = {r["engine"]: [0.0, 0.0] for r in results}
    for stage in [*stages, "total"]:
        costs, rates = [], []
        for r in results:
            if stage == "total":
                driver, spread = totals[r["engine"]]
            else:
                driver, spread = r["cpu"][stage], r["workers_cpu"].get(stage, 0.0)
                totals[r["engine"]][0] += driver
                totals[r["engine"]][1] += spread
            costs.append(f"{1000 * driver / n:.2f} + {1000 * spread / n:.2f}" if spread else f"{1000 * driver / n:.2f}")
            cores = workers if spread else 1
            seconds = driver + spread / cores
            rate = f"{n / seconds:,.0f}" if seconds else "-"
            rates.append(f"**{rate}**" if stage == "total" else rate)
        lines.append(f"| {stage} | " + " | ".join(costs) + " | " + " | ".join(rates) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, first is the baseline")
    parser.add_argument("--one", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, Path(args.input), args.workers)))
        return
    sys.path.insert(0, str(ROOT / "src"))
    folder = build_input(args.articles, OUT / "scale-input")
    load = os.getloadavg()[0]
    results = []
    for engine in args.engines.split(","):
        print(f"bench: running {engine} ...", file=sys.stderr, flush=True)
        results.append(measure(engine, folder, args.workers))
    print(table(results, args.workers, load))
    print()
    print(cpu_table(results, args.workers))


if __name__ == "__main__":
    main()
