"""The memory one story's description takes: the biggest stories of a large input, each described alone in a fresh
process, this checkout's code beside a pinned commit's.

    python bench/story_memory.py --size 100000 --top 6 --base 44372a4   # dump the stories once, then measure
    python bench/story_memory.py --size 20000 --top 6 --base 44372a4 --phases

The input is bench/throughput.py's (``bench/scale.py``: real texts, then sentence-shuffled variants). The first run
reads it, runs the default stages up to the clustering on the process pool and writes the ``--top`` stories with the
most sentences in their compared articles (and the first story of one article, to warm the models) to
bench/out/ (git-ignored) as pickled per-story jobs; later runs reuse them. Then each story is described
(``pipeline.describe_packed``, the default settings, what a pool worker runs) in a fresh process per code version:
the models are loaded by describing the small story first, the peak RSS (``VmHWM``) is reset
(``/proc/self/clear_refs``), and the story is described. The table gives the peak RSS above the RSS before the story
(the story's transient on a worker), CPU seconds, and whether the two versions give the same story (the SHA-256 of
its serialized record); with ``--phases`` also what the summary and the comparison each allocate at their peak
(tracemalloc, which sees NumPy's arrays). Linux only (``clear_refs`` and ``VmHWM``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
MB = 2**20


def _status(field: str) -> float:
    """A ``/proc/self/status`` memory field, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def dump(size: int, top: int, path: Path) -> None:
    """Read, dedup and cluster ``size`` articles of the throughput input; pickle the biggest stories' jobs."""
    from dataclasses import replace

    from scale import build_input
    from storyline.config import Settings
    from storyline.pipeline import DEFAULT_STAGES, RunState, compared_originals, model_packages, story_jobs
    from storyline.scale import open_executor
    from storyline.scale.reading import read_inputs_parallel
    from storyline.text.sentences import ensure_sentences

    folder = build_input(size, OUT / f"throughput-input-{size}")
    settings = replace(Settings.load(), progress=False)
    settings = replace(settings, scale=replace(settings.scale, workers=2))
    with open_executor(settings.scale, progress=False, preload=model_packages(settings)) as executor:
        articles, rejected, files = read_inputs_parallel([str(folder)], settings.ingest, executor)
        state = RunState(settings=settings, articles=articles, rejected=rejected, inputs=files)
        for make in DEFAULT_STAGES:
            stage = make()
            if stage.name == "describe":
                break
            stage.run(state, executor)
            print(f"story_memory: {stage.name} done", file=sys.stderr, flush=True)
    jobs = story_jobs(state)
    sizes = []
    for k, (_, members) in enumerate(jobs):
        originals = [a for a in members if a.duplicate_of is None] or members
        sizes.append((len(members), len(originals), sum(len(a.text) for a in originals), k))
    sizes.sort(reverse=True)
    print(f"{len(jobs):,} stories of {len(articles):,} articles; the biggest by their originals' text "
          "(members, originals, characters):", file=sys.stderr)
    for members, originals, chars, _ in sizes[:20]:
        print(f"  {members:,} {originals:,} {chars:,}", file=sys.stderr)
    chosen = [k for _, _, _, k in sorted(sizes, key=lambda s: (-s[2], s[3]))[:top]]
    small = next(k for k, (_, members) in enumerate(jobs) if len(members) == 1)
    picked = []
    for k in [small, *chosen]:
        story, members = jobs[k]
        ensure_sentences(members)
        compared = compared_originals(members, settings.compare)
        for a in members:
            a.sentences = []  # the worker splits them, as in the digest
        picked.append({"story": story, "members": members, "units": sum(len(a.text) for a in compared)})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(picked, protocol=pickle.HIGHEST_PROTOCOL))


def measure_child(path: Path, index: int, trace: bool) -> None:
    """In a fresh process: warm the models on the small story, reset the peak RSS, describe story ``index``."""
    from dataclasses import replace

    from storyline.config import Settings
    from storyline.pipeline import describe_packed, release_free_memory
    from storyline.serialize import to_plain

    settings = replace(Settings.load(), progress=False)
    picked = pickle.loads(path.read_bytes())
    kept = settings.live.kept_sentences * 0  # a digest keeps no model outputs (DescribeStories(keep_outputs=False))

    def describe(k: int) -> bytes:
        job = (picked[k]["story"], picked[k]["members"])
        return describe_packed(job, settings.summary, settings.compare, (), kept)

    describe(0)
    release_free_memory()
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS := RSS now
    before = _status("VmRSS")
    cpu = time.process_time()
    packed = describe(index)
    cpu = time.process_time() - cpu
    peak = _status("VmHWM")
    from storyline.models import PackedStories

    story = PackedStories.unpack(packed)
    digest = hashlib.sha256(json.dumps(to_plain(story), sort_keys=True, default=str).encode()).hexdigest()[:12]
    phases = traced_phases(picked[index]["story"], picked[index]["members"], settings) if trace else {}
    print(json.dumps({"rss_mb": before, "peak_mb": peak, "above_mb": peak - before, "cpu": cpu,
                      "sha": digest, "summary": len(story.summary), "agreed": len(story.agreed), **phases}))


def traced_phases(story: Any, members: list[Any], settings: Any) -> dict[str, float]:
    """The Python and NumPy memory (tracemalloc) each half of the description allocates above its start, MB: the
    summary (``summarize_members``) and the comparison (``compare_members``), run again after the measured run."""
    import copy
    import tracemalloc

    from storyline.embed import shared_vectors
    from storyline.pipeline import compare_members, summarize_members
    from storyline.text.sentences import ensure_sentences

    story, members = copy.deepcopy((story, members))
    ensure_sentences(members)
    tracemalloc.start()
    with shared_vectors():
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        story = summarize_members((story, members), settings.summary)
        summary = tracemalloc.get_traced_memory()[1] - start
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        compare_members((story, members), settings.compare)
        comparison = tracemalloc.get_traced_memory()[1] - start
    tracemalloc.stop()
    return {"summary_mb": summary / MB, "compare_mb": comparison / MB}


def pinned(base: str) -> Path:
    sys.path[:0] = [str(ROOT / "bench")]
    from throughput import pinned_source

    return pinned_source(base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--top", type=int, default=6)
    parser.add_argument("--base", help="also run the code of this commit (unpacked as bench/throughput.py does)")
    parser.add_argument("--only", help="comma-separated story ranks to measure (0 = the biggest)")
    parser.add_argument("--phases", action="store_true", help="also the traced peak of the summary and of the "
                        "comparison alone (tracemalloc, a second run of the story in the same process)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        measure_child(Path(args.jobs), args.child, args.phases)
        return
    path = OUT / f"big-stories-{args.size}-top{args.top}.pkl"
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]
    if not path.exists():
        dump(args.size, args.top, path)
    picked = pickle.loads(path.read_bytes())
    versions = [("new", ROOT / "src")] + ([(args.base, pinned(args.base))] if args.base else [])
    ranks = [int(r) for r in args.only.split(",")] if args.only else list(range(len(picked) - 1))
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    traced = " (traced MB: summary / comparison)" if args.phases else ""
    head = " | ".join(f"{name}: peak above start MB / CPU s{traced}" for name, _ in versions)
    print(f"\n| story (members, compared characters) | {head} | same story |")
    print("|---|" + "---:|" * len(versions) + "---|")
    for rank in ranks:
        entry = picked[rank + 1]
        cells, shas = [], []
        for _, src in versions:
            env = {**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
            command = [sys.executable, __file__, "--child", str(rank + 1), "--jobs", str(path)]
            done = subprocess.run(command + (["--phases"] if args.phases else []), capture_output=True, text=True,
                                  env=env, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            traced = f" ({result['summary_mb']:,.0f} / {result['compare_mb']:,.0f})" if args.phases else ""
            cells.append(f"{result['above_mb']:,.0f} / {result['cpu']:.1f}{traced}")
            shas.append(result["sha"])
        same = "yes" if len(set(shas)) == 1 else "NO " + " ".join(shas)
        print(f"| {rank} ({len(entry['members']):,}, {entry['units']:,}) | " + " | ".join(cells)
              + f" | {same} ({shas[0]}) |", flush=True)


if __name__ == "__main__":
    main()
