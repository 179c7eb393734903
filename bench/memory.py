"""Where the memory of a `storyline digest` run sits: each process's PSS over the run, by stage, and what the driver
holds at each stage boundary.

    python bench/memory.py --size 20000                      # the defaults, bench/throughput.py's input
    python bench/memory.py --size 20000 --config cheap --tracemalloc

The run is bench/throughput.py's (read, the default stages, the writers) in a subprocess; this process samples the
PSS of every process of its tree every 0.5 s (driver, fork server, each pool worker) and prints, per stage, each
process's peak PSS and the summed peak. With ``--tracemalloc`` the driver also reports the Python heap it holds at
every stage boundary and the stage's own peak above it (tracemalloc slows the driver's own Python ~1.5x: read its
MB, not its seconds). With ``--sizes`` the driver also reports the pickled size of what crosses the pool in the
per-story stage (the jobs it ships, the described stories it gets back, which it holds until the write: their
pickles one by one, and packed, ``models.PackedStories``, the bytes the driver holds).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 2**20


def run_child(config: str, folder: Path, workers: int, out: Path, trace: bool, sizes: bool) -> None:
    """The measured run (in the subprocess): prints one JSON line per stage boundary on stdout."""
    import tracemalloc
    from dataclasses import replace

    from throughput import settings_for

    if trace:
        tracemalloc.start()
    import storyline.pipeline
    from storyline.output import write_outputs
    from storyline.pipeline import DEFAULT_STAGES, RunState, model_packages, story_jobs
    from storyline.scale import open_executor
    from storyline.scale.reading import read_inputs_parallel

    release = getattr(storyline.pipeline, "release_free_memory", lambda: None)  # ``--base`` code may have none
    settings = settings_for(config)
    settings = replace(settings, scale=replace(settings.scale, workers=workers))

    def mark(stage: str, **extra: float) -> None:
        heap = peak = 0.0
        if trace:
            current, top = tracemalloc.get_traced_memory()
            heap, peak = current / MB, top / MB
            tracemalloc.reset_peak()
        print(json.dumps({"mark": stage, "time": time.time(), "heap_mb": heap, "stage_peak_mb": peak, **extra}),
              flush=True)

    mark("start")
    with open_executor(settings.scale, progress=False, preload=model_packages(settings)) as executor:
        articles, rejected, files = read_inputs_parallel([str(folder)], settings.ingest, executor)
        text_mb = sum(len(a.text) for a in articles) / MB
        mark("read", articles=len(articles), text_mb=text_mb)
        state = RunState(settings=settings, articles=articles, rejected=rejected, inputs=files)
        for make in DEFAULT_STAGES:
            stage = make()
            extra: dict[str, float] = {}
            if stage.name == "describe" and sizes:
                jobs = story_jobs(state)
                extra["jobs_pickled_mb"] = len(pickle.dumps(jobs, protocol=pickle.HIGHEST_PROTOCOL)) / MB
                del jobs
            stage.run(state, executor)
            release()  # what run_pipeline does after each stage
            if stage.name == "describe" and sizes:
                packed = getattr(state.stories, "nbytes", None)  # PackedStories: what the driver holds
                if packed is not None:
                    extra["stories_packed_mb"] = packed / MB
                extra["stories_pickled_mb"] = sum(len(pickle.dumps(s, protocol=pickle.HIGHEST_PROTOCOL))
                                                  for s in state.stories) / MB
            mark(stage.name, **extra)
    from storyline.models import Digest, Stats

    state.stories.sort(key=lambda s: (-len(s.article_ids), s.id))
    stats = Stats(inputs=files, articles=len(state.articles), duplicates=0, rejected=len(rejected),
                  stories=len(state.stories))
    write_outputs(Digest(articles=state.articles, stories=state.stories, rejected=rejected, stats=stats), out)
    mark("write", stories=len(state.stories))


def role(process, root_pid: int) -> str:  # psutil.Process
    """driver, fork server, worker or helper (the resource tracker)."""
    if process.pid == root_pid:
        return "driver"
    if process.ppid() != root_pid:  # forked by the fork server
        return "worker"
    command = " ".join(process.cmdline())
    if "resource_tracker" in command:
        return "resource tracker"
    return "fork server"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--config", default="new", help="a bench/throughput.py configuration [new]")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--base", help="run the code of this commit instead of this checkout's (unpacked as "
                        "bench/throughput.py --base does)")
    parser.add_argument("--tracemalloc", action="store_true", help="the driver's Python heap at stage boundaries")
    parser.add_argument("--sizes", action="store_true", help="also pickle the per-story stage's jobs and results "
                        "to report their size (adds their pickles to the driver's peak)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.config, Path(args.input), args.workers, Path(args.out), args.tracemalloc, args.sizes)
        return
    import psutil

    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
    from proctree import process_tree  # bench/, the script's own folder, is on sys.path
    from scale import build_input  # bench/scale.py: the same real-text input as bench/throughput.py

    folder = build_input(args.size, ROOT / "bench" / "out" / f"throughput-input-{args.size}")
    src = ROOT / "src"
    if args.base:
        from throughput import pinned_source

        src = pinned_source(args.base)
    env = {**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    marks: list[dict] = []
    samples: list[tuple[float, dict[str, float]]] = []  # (time, {process label: PSS MB})
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, __file__, "--child", "--config", args.config, "--input", str(folder),
                   "--workers", str(args.workers), "--out", tmp] + (["--tracemalloc"] if args.tracemalloc else []) \
            + (["--sizes"] if args.sizes else [])
        child = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)
        done = threading.Event()

        def sample() -> None:
            root = psutil.Process(child.pid)
            labels: dict[int, str] = {}
            while not done.is_set():
                reading: dict[str, float] = {}
                tree = process_tree(root)
                if tree is None:
                    return
                for process in tree:
                    try:
                        if process.pid not in labels:
                            kind = role(process, child.pid)
                            count = sum(1 for v in labels.values() if v.startswith(kind))
                            labels[process.pid] = kind if kind != "worker" else f"worker {count + 1}"
                        reading[labels[process.pid]] = process.memory_full_info().pss / MB
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                samples.append((time.time(), reading))
                done.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        assert child.stdout is not None
        for line in child.stdout:
            marks.append(json.loads(line))
            print(f"memory: {marks[-1]['mark']} done", file=sys.stderr, flush=True)
        child.wait()
        done.set()
        sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"memory: the run failed with exit status {child.returncode}")
    labels = sorted({label for _, reading in samples for label in reading}, key=lambda s: (s.startswith("w"), s))
    print(f"### Peak PSS per process and stage, MB ({args.size:,} articles asked, {args.config}"
          f"{' at ' + args.base if args.base else ''}, "
          f"{args.workers} workers)\n")
    print("| stage | s | " + " | ".join(labels) + " | summed (peak of the sums) | driver heap after (tracemalloc) |"
          " driver's peak in the stage above its start |")
    print("|---|---:|" + "---:|" * (len(labels) + 3))
    for before, after in itertools.pairwise(marks):
        inside = [reading for when, reading in samples if before["time"] <= when <= after["time"]]
        peaks = [max((r.get(label, 0.0) for r in inside), default=0.0) for label in labels]
        summed = max((sum(r.values()) for r in inside), default=0.0)
        rise = after["stage_peak_mb"] - before["heap_mb"] if args.tracemalloc else 0.0
        cells = " | ".join(f"{p:,.0f}" for p in peaks)
        print(f"| {after['mark']} | {after['time'] - before['time']:.0f} | {cells} | {summed:,.0f} | "
              f"{after['heap_mb']:,.0f} | {rise:,.0f} |")
    for before, after in itertools.pairwise(marks):  # the per-story stage over time: do the workers grow?
        if after["mark"] != "describe":
            continue
        span = after["time"] - before["time"]
        print(f"\nDuring describe, PSS MB at each fifth of the stage ({span:.0f} s):\n")
        print("| share of the stage | " + " | ".join(labels) + " |")
        print("|---|" + "---:|" * len(labels))
        for fifth in range(1, 6):
            when = before["time"] + span * fifth / 5
            reading = min(samples, key=lambda sample: abs(sample[0] - when))[1]
            print(f"| {fifth * 20} % | " + " | ".join(f"{reading.get(label, 0.0):,.0f}" for label in labels) + " |")
    overall = max((sum(r.values()) for _, r in samples), default=0.0)
    print(f"\nPeak summed PSS {overall:,.0f} MB. Sizes: " + "; ".join(
        f"{key} {value:,.1f}" for m in marks for key, value in m.items()
        if key not in ("mark", "time", "heap_mb", "stage_peak_mb")))


if __name__ == "__main__":
    main()
