"""End-to-end throughput of `storyline digest` with the defaults: new code, today's code and a cheap baseline.

    python bench/throughput.py                                 # 2,000 and 20,000 articles, every configuration
    python bench/throughput.py --sizes 2000                     # a quicker look
    python bench/throughput.py --sizes 2000 --configs new,cheap --base 7828dca
    python bench/throughput.py --sizes html                     # the 100 saved pages of ../shared/data (pages/s)
    python bench/throughput.py --sizes 20000,100000 --configs cheap,old-cheap   # the stages alone, at scale

Configurations, each run in its own subprocess on the same input and the same engine (the default process pool,
``--workers`` workers, so two sizes are compared on one engine):

- ``new``: this checkout's code with the default settings (summaries, citation check, comparison all on);
- ``old``: the code of commit ``--base`` (default ``7828dca``, main before issue 15) with *its* default settings,
  unpacked with ``git archive`` into bench/out/ (git-ignored) and run from there: today's defaults, pinned;
- ``cheap``: this checkout with no model at all: TF-IDF summary vectors, the static citation check, the comparison
  off and no cross-lingual clustering model (``cluster.cross_lingual = "off"``: with it, one article in a second
  language, or one short English text the language detector reads as another, has the multilingual model encode
  every article of the input, ~0.3 CPU s each);
- ``old-cheap``: the code of ``--base`` with the ``cheap`` settings: the stages' own cost before and after, side by
  side with ``cheap``;
- ``unbounded``: this checkout with the comparison's models as before they were bounded per story (MiniLM alignment
  of every unit of stories up to 60 units, ``compare.embedder = "auto"``, static shift 0.1; spaCy on every sentence,
  ``compare.model_sentences = 0``): what the bounds alone save;
- ``one-language``: this checkout's defaults with no cross-lingual clustering model (``cluster.cross_lingual =
  "off"``). The 20,000- and 100,000-article inputs are English, but py3langid reads 2 (of 20,000) shuffled variants
  of one short English text as Nigerian Pidgin at >= 0.5; the inputs are undated, so with the defaults those two
  make the clustering encode every article with e5 (~0.3 CPU s each, on the driver): ~6,000 CPU s at 20,000.
  This configuration gives the rate of every other default on such an input.

The input is `bench/scale.py`'s (real texts from ../shared/data, then sentence-shuffled variants); the size
``html`` is instead the 100 gzipped pages of the extraction benchmark (../shared/data/ingest/extraction/html), read
and extracted like any HTML input, so its rate is pages/s end to end. Each run reads
the JSONL files, runs the default stages and writes stories.json, timing wall-clock and CPU (this process plus its
pool workers) per stage; peak memory is the largest summed RSS of the process tree, sampled every 0.2 s, and the
largest summed PSS (pages the pool's fork server shares with its workers counted once, not once per process);
the stories.json fingerprint is computed after the run, outside what is measured.
Start-up is the wall-clock time of a whole `storyline digest` of the two seed articles (../shared/seeds) in a
fresh process; the rate after start-up is ``articles / (run wall-clock - start-up)``. On a shared machine
wall-clock follows the other users' load, so the table also gives the rate the CPU seconds allow when each worker
has a core of its own (``articles x workers / CPU seconds of all stages``; an upper bound for code that runs a
stage on one core, as the per-story stage did below 200 stories before issue 15) and the wall-clock the run would
take on free cores: per stage, the CPU seconds of its busiest process (driver, fork server or one worker), summed
over the stages (``articles / that`` is the rate). Both new and old must give the same stories only when nothing
shown changed, so the table prints each configuration's stories.json fingerprint.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from proctree import run_with_peak, run_with_peaks  # bench/, the script's own folder, is on sys.path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SEEDS = ROOT.parent / "shared" / "seeds"
CONFIGS = ("new", "old", "cheap", "old-cheap", "unbounded", "one-language")
BASE = "7828dca"
"""main before the issue 15 work: today's defaults, pinned."""
HTML_PAGES = ROOT.parent / "shared" / "data" / "ingest" / "extraction" / "html"


def settings_for(config: str):  # -> Settings of whichever checkout runs this script
    """The settings one configuration runs with (the checkout's own defaults unless ``cheap``)."""
    from dataclasses import replace

    from storyline.config import Settings

    settings = Settings.load()
    settings = replace(settings, progress=False)
    if config in ("cheap", "old-cheap"):
        settings = replace(
            settings,
            summary=replace(settings.summary, embedder="tfidf", verifier="static"),
            compare=replace(settings.compare, enabled=False),
            cluster=replace(settings.cluster, cross_lingual="off"),
        )
    if config == "one-language":
        settings = replace(settings, cluster=replace(settings.cluster, cross_lingual="off"))
    if config == "unbounded":
        settings = replace(settings, compare=replace(settings.compare, embedder="auto", static_shift=0.1,
                                                     model_sentences=0))  # fmt: skip
    return settings


CONFIG_FILES = {
    "cheap": '[summary]\nembedder = "tfidf"\nverifier = "static"\n[compare]\nenabled = false\n'
             '[cluster]\ncross_lingual = "off"\n',
    "old-cheap": '[summary]\nembedder = "tfidf"\nverifier = "static"\n[compare]\nenabled = false\n'
                 '[cluster]\ncross_lingual = "off"\n',
    "unbounded": '[compare]\nembedder = "auto"\nstatic_shift = 0.1\nmodel_sentences = 0\n',
    "one-language": '[cluster]\ncross_lingual = "off"\n',
}
"""The settings of ``settings_for`` as a TOML file, for the start-up digest."""


def run_one(config: str, folder: Path, workers: int, out: Path) -> dict:
    """Read, run every default stage and write the outputs, timing each step (this runs in the subprocess)."""
    from dataclasses import replace

    import psutil

    began = time.perf_counter()
    from storyline.output import write_outputs
    from storyline.pipeline import DEFAULT_STAGES, RunState
    from storyline.scale import open_executor
    from storyline.scale.reading import read_inputs_parallel

    settings = settings_for(config)
    settings = replace(settings, scale=replace(settings.scale, workers=workers))
    me = psutil.Process()

    per_process: dict[int, float] = {}  # CPU seconds of each process of the tree at the last reading

    def cpu() -> float:
        """CPU seconds of the whole tree; remembers each process's own for :func:`busiest`."""
        per_process[me.pid] = sum(me.cpu_times()[:2])
        for child in me.children(recursive=True):
            try:
                per_process[child.pid] = sum(child.cpu_times()[:2])
            except psutil.NoSuchProcess:
                continue
        return sum(per_process.values())

    def busiest(before: dict[int, float]) -> float:
        """The most CPU seconds one process used since ``before``: the stage's wall-clock on free cores."""
        return max(used - before.get(pid, 0.0) for pid, used in per_process.items())

    times: dict[str, float] = {}
    cpus: dict[str, float] = {}
    critical: dict[str, float] = {}
    import storyline.pipeline

    release = getattr(storyline.pipeline, "release_free_memory", lambda: None)  # ``old`` code may have none
    try:  # what `storyline digest` passes; code older than this (``old``) has no such argument
        from storyline.pipeline import model_packages
    except ImportError:
        opened = open_executor(settings.scale, progress=False)
    else:
        opened = open_executor(settings.scale, progress=False, preload=model_packages(settings))
    with opened as executor:
        clock, used = time.perf_counter(), cpu()
        before = dict(per_process)
        articles, rejected, files = read_inputs_parallel([str(folder)], settings.ingest, executor)
        times["read"], cpus["read"] = time.perf_counter() - clock, cpu() - used
        critical["read"] = busiest(before)
        state = RunState(settings=settings, articles=articles, rejected=rejected, inputs=files)
        for make in DEFAULT_STAGES:
            stage = make()
            clock, used = time.perf_counter(), cpu()
            before = dict(per_process)
            stage.run(state, executor)
            release()  # what run_pipeline does after each stage
            times[stage.name], cpus[stage.name] = time.perf_counter() - clock, cpu() - used
            critical[stage.name] = busiest(before)
            print(f"bench: {config} {stage.name} {times[stage.name]:.1f} s", file=sys.stderr, flush=True)
    from storyline.models import Digest, Stats

    state.stories.sort(key=lambda s: (-len(s.article_ids), s.id))
    clock, used = time.perf_counter(), cpu()
    before = dict(per_process)
    stats = Stats(inputs=files, articles=len(state.articles), duplicates=0, rejected=len(rejected),
                  stories=len(state.stories))
    paths = write_outputs(Digest(articles=state.articles, stories=state.stories, rejected=rejected, stats=stats), out)
    times["write"], cpus["write"] = time.perf_counter() - clock, cpu() - used
    critical["write"] = busiest(before)
    assert Path(paths["json"]).exists()
    return {
        "config": config,
        "articles": len(state.articles),
        "stories": len(state.stories),
        "times": times,
        "cpu": cpus,
        "critical": critical,
        "imports": time.perf_counter() - began - sum(times.values()),
    }


def fingerprint(out: Path) -> str:
    """The first 12 hex digits of the SHA-256 of the stories of ``out/stories.json`` (keys sorted). Computed here,
    after the measured run has ended: parsing the whole file in the run added ~4x its size to the run's peak (at
    100k articles ~2 GB on top of the pipeline's own, bench/RESULTS.md, issue 15)."""
    stories = json.loads((out / "stories.json").read_text())["stories"]
    return hashlib.sha256(json.dumps(stories, sort_keys=True).encode()).hexdigest()[:12]


def pinned_source(base: str) -> Path:
    """``src/`` of commit ``base``, unpacked once under bench/out/."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", base], capture_output=True, text=True, check=True)
    sha = commit.stdout.strip()
    folder = OUT / f"base-{sha[:12]}"
    if not (folder / "src" / "storyline").exists():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", sha, "src"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "src"


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def startup(config: str, src: Path, workers: int) -> float:
    """Wall-clock seconds of a whole `storyline digest` of the two seed articles in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        options = ["--workers", str(workers), "-q"]
        if config in CONFIG_FILES:
            (Path(tmp) / "config.toml").write_text(CONFIG_FILES[config])
            options += ["--config", str(Path(tmp) / "config.toml")]
        code = "from storyline.cli import main; main()"
        command = [sys.executable, "-c", code, "digest", str(SEEDS), "-o", str(Path(tmp) / "out"), *options]
        _, wall, _ = run_with_peak(command, _env(src))
    return wall


def measure(config: str, src: Path, folder: Path, workers: int) -> dict:
    """Start-up, then one timed run of ``config`` from ``src`` in a subprocess."""
    first = startup(config, src, workers)
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, __file__, "--one", config, "--input", str(folder), "--workers", str(workers),
                   "--out", tmp]
        done, wall, peak, pss = run_with_peaks(command, _env(src))
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result.update(startup=first, wall=wall, peak_mb=peak, peak_pss_mb=pss, fingerprint=fingerprint(Path(tmp)))
    return result


def table(size: int, results: list[dict], workers: int, load: float) -> str:
    """Markdown: articles/s after start-up, start-up, CPU s per stage, peak memory; ratios to the first column."""
    base = results[0]
    n = base["articles"]

    def rate(r: dict) -> float:
        """Articles/s after start-up; 0 when the run was not longer than the start-up (too small an input)."""
        after = r["wall"] - r["startup"]
        return r["articles"] / after if after > 0 else 0.0

    head = "| | " + " | ".join(f"{r['config']}" + ("" if r is base else f" | {r['config']} / {base['config']}")
                              for r in results) + " |"
    lines = [head, "|---|" + "---:|" * (2 * len(results) - 1)]

    def row(label: str, values: list[float], fmt: str, bold: bool = False) -> None:
        cells = []
        for r, v in zip(results, values, strict=True):
            cells.append(f"**{v:{fmt}}**" if bold else f"{v:{fmt}}")
            if r is not base:
                cells.append(f"{v / values[0]:.2f}" if values[0] else "-")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("articles/s after start-up", [rate(r) for r in results], ",.1f", bold=True)
    row("wall-clock s (whole run)", [r["wall"] for r in results], ",.1f")
    row("start-up s (digest of 2 seeds)", [r["startup"] for r in results], ".2f")
    for stage in dict.fromkeys(stage for r in results for stage in r["cpu"]):  # every configuration's stages
        row(f"CPU s: {stage}", [r["cpu"].get(stage, 0.0) for r in results], ",.1f")
    row("CPU s: all stages", [sum(r["cpu"].values()) for r in results], ",.1f")
    row(f"articles/s the CPU allows on {workers} free cores", [r["articles"] * workers / sum(r["cpu"].values())
                                                               for r in results], ",.1f", bold=True)
    row("busiest process's CPU s, summed over stages (wall-clock on free cores)",
        [sum(r.get("critical", {}).values()) for r in results], ",.1f")
    row("articles/s on free cores (articles / that)",
        [r["articles"] / sum(r["critical"].values()) if r.get("critical") else 0.0 for r in results], ",.1f",
        bold=True)
    row("peak memory MB (process tree, summed RSS)", [r["peak_mb"] for r in results], ",.0f")
    row("peak memory MB (process tree, summed PSS: shared pages once)", [r["peak_pss_mb"] for r in results], ",.0f")
    lines.append("")
    lines.append(
        f"{n:,} articles ({size:,} asked), stories: "
        + ", ".join(f"{r['config']} {r['stories']:,}" for r in results)
        + "; stories.json fingerprints: " + ", ".join(f"{r['config']} {r['fingerprint']}" for r in results)
        + f"; engine process, {workers} workers; load average before {load:.1f} on {os.cpu_count()} cores"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,20000",
                        help="comma-separated article counts, or 'html' for the saved pages [2000,20000]")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated, first is the baseline column")
    parser.add_argument("--base", default=BASE, help=f"commit for 'old' [{BASE}: main before issue 15]")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--one", choices=CONFIGS, help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, Path(args.input), args.workers, Path(args.out))))
        return
    configs = args.configs.split(",")
    for config in configs:
        if config not in CONFIGS:
            parser.error(f"unknown configuration {config!r}; choose from {', '.join(CONFIGS)}")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
    from scale import build_input  # bench/scale.py: the same real-text input

    base = subprocess.run(["git", "-C", str(ROOT), "rev-parse", args.base], capture_output=True, text=True,
                          check=True).stdout.strip()
    sources = {c: pinned_source(base) if c.startswith("old") else ROOT / "src" for c in configs}
    for name in args.sizes.split(","):
        if name == "html":
            folder, size = HTML_PAGES, len(list(HTML_PAGES.glob("*.html.gz")))
        else:
            size = int(name)
            folder = build_input(size, OUT / f"throughput-input-{size}")
        load = os.getloadavg()[0]
        results = []
        for config in configs:
            print(f"bench: {size:,} articles, {config} ...", file=sys.stderr, flush=True)
            results.append(measure(config, sources[config], folder, args.workers))
        kind = "HTML pages" if name == "html" else "articles"
        print(f"### {size:,} {kind} ({'old = ' + base[:12] if any(c.startswith('old') for c in configs) else ''})\n")
        print(table(size, results, args.workers, load))
        print(flush=True)


if __name__ == "__main__":
    main()
