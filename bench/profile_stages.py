"""Seconds per pipeline stage of one digest of N real articles, in this process, with the current settings.

    python bench/profile_stages.py 2000                   # what bench/RESULTS.md quotes (comparison and MiniLM on)
    python bench/profile_stages.py 2000 --cheap           # no model: TF-IDF summaries, static check, no comparison
    python bench/profile_stages.py 2000 --cheap --profile 15   # plus cProfile's 15 costliest functions per stage
    python bench/profile_stages.py --html --profile 30    # the 100 saved pages of ../shared/data instead
    python bench/profile_stages.py --html --stories       # plus the describe stage's CPU by story size and model

The input is the one `bench/crash.py` builds (real texts from ../shared/data, seed 1). It says where the time of
a `storyline digest` goes, so a slow run can be blamed on a stage before anything is switched off. Writing the
outputs (``stories.json`` ...) is timed as the stage ``write``; the last line gives the fingerprint of the stories
in ``stories.json`` (as `bench/throughput.py` prints it), so a change that must not alter the output can be checked.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import hashlib
import io
import json
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from storyline.config import Settings  # noqa: E402
from storyline.ingest import read_inputs  # noqa: E402
from storyline.models import Digest, Stats  # noqa: E402
from storyline.output import write_outputs  # noqa: E402
from storyline.pipeline import DEFAULT_STAGES, LocalExecutor, RunState, story_jobs  # noqa: E402

from realtexts import write_articles  # noqa: E402

HTML_PAGES = ROOT.parent / "shared" / "data" / "ingest" / "extraction" / "html"


def cheap(settings: Settings) -> Settings:
    """No model at all (`bench/throughput.py`'s ``cheap``): TF-IDF summary vectors, the static citation check, no
    comparison and no cross-lingual clustering model."""
    return replace(settings, summary=replace(settings.summary, embedder="tfidf", verifier="static"),
                   compare=replace(settings.compare, enabled=False),
                   cluster=replace(settings.cluster, cross_lingual="off"))


def timed(name: str, work, top: int) -> object:
    """Run ``work()``, print its CPU and wall-clock seconds as a table row (and cProfile's ``top`` functions)."""
    profiler = cProfile.Profile() if top else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    result = work()
    if profiler is not None:
        profiler.disable()
    print(f"| {name} | {time.process_time() - cpu:.2f} | {time.perf_counter() - wall:.2f} |", flush=True)
    if profiler is not None:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
        print("\n".join(line for line in text.getvalue().splitlines()[6:] if line.strip()), file=sys.stderr)
    return result


def main() -> None:
    """Build the input, then run and time each default stage in order."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("--cheap", action="store_true",
                        help="no model: TF-IDF summaries, static check, no comparison or cross-lingual model")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print cProfile's N functions of most own time per stage on stderr")
    parser.add_argument("--html", action="store_true",
                        help="read the 100 saved HTML pages of ../shared/data/ingest/extraction (count is ignored)")
    parser.add_argument("--stories", action="store_true",
                        help="then describe each story again, models warm, and print its CPU by story size: "
                             "spaCy, each sentence embedder, the rest")
    args = parser.parse_args()
    settings = replace(Settings.load(), progress=False)
    if args.cheap:
        settings = cheap(settings)
    print("| stage | CPU s | wall s |\n|---|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        paths = sorted(HTML_PAGES.glob("*.html.gz")) if args.html else write_articles(Path(tmp), args.count, seed=1)
        articles, rejected, _ = timed("read", lambda: read_inputs([str(p) for p in paths], settings.ingest),
                                      args.profile)
        state = RunState(settings=settings, articles=articles, rejected=list(rejected), inputs=len(paths))
        executor = LocalExecutor(progress=False)
        for make in DEFAULT_STAGES:
            stage = make()
            if args.stories and stage.name == "describe":
                jobs = copy.deepcopy(story_jobs(state))  # before describe fills them in
            timed(stage.name, lambda: stage.run(state, executor), args.profile)  # noqa: B023 (called at once)
        state.stories.sort(key=lambda s: (-len(s.article_ids), s.id))
        stats = Stats(inputs=len(paths), articles=len(state.articles), rejected=len(rejected),
                      stories=len(state.stories))
        digest = Digest(articles=state.articles, stories=state.stories, rejected=state.rejected, stats=stats,
                        storylines=state.storylines)
        paths = timed("write", lambda: write_outputs(digest, Path(tmp) / "out"), args.profile)
        stories = json.loads(Path(paths["json"]).read_text())["stories"]  # type: ignore[index]
    fingerprint = hashlib.sha256(json.dumps(stories, sort_keys=True).encode()).hexdigest()[:12]
    print(f"\n{len(state.articles):,} articles, {len(state.stories):,} stories, stories.json fingerprint {fingerprint}")
    if args.stories:
        print(by_story_size(jobs, settings))


def by_story_size(jobs: list, settings: Settings) -> str:
    """Markdown: the CPU seconds of describing each story once more (models loaded by the stage before), summed by
    the story's number of articles (1, 2, 3+) and split into spaCy (``compare.nlp.annotate``), each sentence
    embedder's ``encode`` and the rest, timed by wrapping those calls in this process."""
    import storyline.compare as compare
    from storyline import embed
    from storyline.pipeline import describe_members

    spent: dict[str, float] = defaultdict(float)
    texts: dict[str, int] = defaultdict(int)

    def timing(name: str, fn):
        def timed_call(*args, **kwargs):
            began = time.process_time()
            texts[name] += len(args[0])  # the texts (sentences) the model is given: spaCy's before its own filter
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - began
        return timed_call

    compare.annotate = timing("spaCy", compare.annotate)  # what compare_story's _annotate calls
    cross_lingual = embed.cross_lingual_model(settings.compare.cross_lingual)
    parts = ("spaCy", "minilm", "static", *([cross_lingual] if cross_lingual else []))
    for name in parts[1:]:
        embedder = embed.get_embedder(name)
        embedder.encode = timing(name, embedder.encode)
    rows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, int] = defaultdict(int)
    encoded: dict[str, int] = defaultdict(int)
    for job in jobs:
        size = {1: "1", 2: "2"}.get(len(job[1]), "3+")
        spent.clear()
        began = time.process_time()
        describe_members(copy.deepcopy(job), settings.summary, settings.compare)
        rows[size]["total"] += time.process_time() - began
        for name, seconds in spent.items():
            rows[size][name] += seconds
        counts[size] += 1
    encoded.update(texts)
    lines = ["\n| articles in the story | stories | describe CPU s | ms a story | "
             + " | ".join(parts) + " | rest |", "|---|" + "---:|" * (len(parts) + 4)]
    for size in ("1", "2", "3+"):
        if counts[size]:
            row = rows[size]
            rest = row["total"] - sum(row[name] for name in parts)
            lines.append(f"| {size} | {counts[size]} | {row['total']:.2f} | {1000 * row['total'] / counts[size]:.0f} | "
                         + " | ".join(f"{row[name]:.2f}" for name in parts) + f" | {rest:.2f} |")
    lines.append("\ntexts given to each model (sentence embedders: texts encoded; spaCy: sentences of the story, "
                 "before its own filter): " + ", ".join(f"{name} {encoded[name]:,}" for name in parts))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
