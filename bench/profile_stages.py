"""Seconds per pipeline stage of one digest of N real articles, in this process, with the current settings.

    python bench/profile_stages.py 2000                   # what bench/RESULTS.md quotes (comparison and MiniLM on)
    python bench/profile_stages.py 2000 --cheap           # no model: TF-IDF summaries, static check, no comparison
    python bench/profile_stages.py 2000 --cheap --profile 15   # plus cProfile's 15 costliest functions per stage
    python bench/profile_stages.py --html --profile 30    # the 100 saved pages of ../shared/data instead

The input is the one `bench/crash.py` builds (real texts from ../shared/data, seed 1). It says where the time of
a `storyline digest` goes, so a slow run can be blamed on a stage before anything is switched off. Writing the
outputs (``stories.json`` ...) is timed as the stage ``write``; the last line gives the fingerprint of the stories
in ``stories.json`` (as `bench/throughput.py` prints it), so a change that must not alter the output can be checked.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from storyline.config import Settings  # noqa: E402
from storyline.ingest import read_inputs  # noqa: E402
from storyline.models import Digest, Stats  # noqa: E402
from storyline.output import write_outputs  # noqa: E402
from storyline.pipeline import DEFAULT_STAGES, LocalExecutor, RunState  # noqa: E402

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


if __name__ == "__main__":
    main()
