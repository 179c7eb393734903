"""Seconds per pipeline stage of one digest of N crash-test articles, in this process, with the current settings.

    python bench/profile_stages.py 2000          # what bench/RESULTS.md quotes (comparison and MiniLM check on)

The input is the one `bench/crash.py` builds (real texts from ../shared/data, seed 1). It says where the time of
a `storyline digest` goes, so a slow run can be blamed on a stage before anything is switched off.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from storyline.config import Settings  # noqa: E402
from storyline.ingest import read_inputs  # noqa: E402
from storyline.pipeline import DEFAULT_STAGES, LocalExecutor, RunState  # noqa: E402

from realtexts import write_articles  # noqa: E402


def main() -> None:
    """Build the input, then run and time each default stage in order."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    settings = Settings.load()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_articles(Path(tmp), count, seed=1)
        started = time.monotonic()
        articles, rejected, _ = read_inputs([str(p) for p in paths], settings.ingest)
        print(f"| read | {time.monotonic() - started:.1f} s | {len(articles):,} articles |", flush=True)
    state = RunState(settings=settings, articles=articles, rejected=list(rejected), inputs=len(paths))
    executor = LocalExecutor(progress=False)
    for make in DEFAULT_STAGES:
        stage = make()
        started = time.monotonic()
        stage.run(state, executor)
        print(f"| {type(stage).__name__} | {time.monotonic() - started:.1f} s | |", flush=True)
    print(f"{len(state.stories):,} stories")


if __name__ == "__main__":
    main()
