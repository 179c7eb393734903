"""CPU of the source comparison alone (or of the summaries alone) on the stories of a real digest: this checkout's
`compare/` (`summary/`) against the code of a pinned commit, on the same stories, runs alternated.

    python bench/compare_stories.py --base e8db936            # 500 articles, 2 rounds each
    python bench/compare_stories.py --base e8db936 --articles 1000 --rounds 3
    python bench/compare_stories.py --base b97559f --stage summary   # the cited summaries instead

The stories are built once, by this checkout: `bench/profile_stages.py`'s input (real texts from ../shared/data,
seed 1), sentences, duplicates, clustering and each story's summary; they are pickled under bench/out/ (models.py
must read the same in both versions). Each round runs `pipeline.compare_members` on every story, in a fresh process
per version (spaCy and the embedders loaded before the clock starts), timing that process's CPU seconds; the table
gives both, their ratio, the CPU seconds MiniLM took of the first round (and the texts it encoded), and each
version's fingerprint of every compared field (agreed, unique, conflicts, quotes,
entities, timeline, cited summary), so a change meant to keep the output shows it did. ``--profile N`` prints
cProfile's N costliest functions of each version's first round instead of timing it alone. ``--stage summary``
runs `pipeline.summarize_members` instead (summary, citations, headline; the fingerprint is of those).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import pickle
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]


def build_jobs(count: int, path: Path) -> None:
    """The digest's stories of ``count`` articles, summarized, pickled to ``path`` (this checkout's code)."""
    sys.path.insert(0, str(ROOT / "src"))
    from storyline.config import Settings
    from storyline.ingest import read_inputs
    from storyline.pipeline import (
        ClusterStories,
        FindDuplicates,
        LocalExecutor,
        RunState,
        SplitSentences,
        story_jobs,
        summarize_members,
    )

    from realtexts import write_articles

    settings = replace(Settings.load(), progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_articles(Path(tmp), count, seed=1)
        articles, rejected, _ = read_inputs([str(p) for p in paths], settings.ingest)
    state = RunState(settings=settings, articles=articles, rejected=list(rejected), inputs=len(paths))
    executor = LocalExecutor(progress=False)
    for stage in (SplitSentences(), FindDuplicates(), ClusterStories()):
        stage.run(state, executor)
    jobs = [(summarize_members(job, settings.summary), job[1]) for job in story_jobs(state)]
    path.write_bytes(pickle.dumps(jobs))


def run_version(jobs_path: Path, profile: int, stage: str = "compare") -> None:
    """In a subprocess whose ``PYTHONPATH`` is one version's src: compare (or summarize) every story, print CPU s and
    fingerprint."""
    from threadpoolctl import threadpool_limits

    from storyline.compare.nlp import load_spacy
    from storyline.config import Settings
    from storyline.embed import encode
    from storyline.pipeline import compare_members, summarize_members

    threadpool_limits(limits=1)  # one BLAS thread, as in the engines' workers (scale.partition.one_thread)
    settings = Settings.load()
    options = settings.compare
    jobs = pickle.loads(jobs_path.read_bytes())
    if stage == "compare":
        load_spacy(options.spacy_model)
    encode("static", ["warm up"])
    encode("minilm", ["warm up"])
    minilm = _timed_model("minilm")
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    began = time.process_time()
    shown = []
    for job in jobs:
        if stage == "summary":
            story = summarize_members(copy.deepcopy(job), settings.summary)
            shown.append([story.headline, *(asdict(x) for x in story.summary)])
            continue
        story = compare_members(copy.deepcopy(job), options)
        shown.append([asdict(x) for x in (*story.agreed, *story.unique, *story.conflicts, *story.quotes,
                                          *story.entities, *story.timeline, *story.summary)])  # fmt: skip
    cpu = time.process_time() - began
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(profile)
        print(text.getvalue(), file=sys.stderr)
    fingerprint = hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()[:12]
    print(json.dumps({"cpu": cpu, "fingerprint": fingerprint, "stories": len(jobs), "minilm_cpu": minilm[0],
                      "minilm_texts": int(minilm[1]),
                      "articles": sum(len(members) for _, members in jobs)}))  # fmt: skip


def _timed_model(name: str) -> list[float]:
    """[CPU s, texts] the named embedder spends encoding from now on in this process (it is timed where it runs)."""
    from storyline.embed import get_embedder

    model = get_embedder(name)
    spent = [0.0, 0.0]
    encode = model.encode

    def timed(texts):  # type: ignore[no-untyped-def]
        began = time.process_time()
        vectors = encode(texts)
        spent[0] += time.process_time() - began
        spent[1] += len(texts)
        return vectors

    model.encode = timed  # type: ignore[method-assign]
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="commit whose src/ is the baseline")
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--stage", choices=("compare", "summary"), default="compare",
                        help="time the comparison (default) or the cited summaries")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_version(Path(args.run), args.profile, args.stage)
        return
    from throughput import _env, pinned_source

    OUT.mkdir(parents=True, exist_ok=True)
    jobs = OUT / f"compare-stories-{args.articles}.pkl"
    if not jobs.exists():
        build_jobs(args.articles, jobs)
    versions = {"new (this checkout)": ROOT / "src", f"base ({args.base})": pinned_source(args.base)}
    results: dict[str, list[dict]] = {name: [] for name in versions}
    for round_ in range(args.rounds):
        for name, src in versions.items():
            command = [sys.executable, __file__, "--base", args.base, "--run", str(jobs),
                       "--profile", str(args.profile if round_ == 0 else 0), "--stage", args.stage]  # fmt: skip
            done = subprocess.run(command, env=_env(src), capture_output=True, text=True, check=True)
            if args.profile and round_ == 0:
                print(f"\n#### {name}\n{done.stderr}", file=sys.stderr)
            results[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"bench: {name} round {round_ + 1}: {results[name][-1]['cpu']:.2f} CPU s", file=sys.stderr)
    new, base = (results[name] for name in versions)
    articles = new[0]["articles"]
    what = "Comparison" if args.stage == "compare" else "Summaries (with citations)"
    print(f"\n### {what} alone: {new[0]['stories']} stories of {articles} articles, CPU s per round\n")
    print("| version | " + " | ".join(f"round {r + 1}" for r in range(args.rounds)) + " | ms per article (min) "
          "| x base | of it MiniLM, CPU s (texts) | output fingerprint |")
    print("|---|" + "---:|" * (args.rounds + 3) + "---|")
    low = min(r["cpu"] for r in base)
    for name, rows in results.items():
        best = min(r["cpu"] for r in rows)
        print(f"| {name} | " + " | ".join(f"{r['cpu']:.2f}" for r in rows)
              + f" | {1000 * best / articles:.1f} | {best / low:.2f} | "
              + f"{rows[0]['minilm_cpu']:.2f} ({rows[0]['minilm_texts']}) | {rows[0]['fingerprint']} |")
    print(f"\nsame output: {'yes' if new[0]['fingerprint'] == base[0]['fingerprint'] else 'no'}")


if __name__ == "__main__":
    main()
