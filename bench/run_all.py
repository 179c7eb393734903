"""Run the benchmarks one after another and keep each one's table: ``make bench`` (or ``python bench/run_all.py``).

Each benchmark already runs storyline beside its baselines in one process run; this only runs them in turn, writes
each one's output to ``bench/out/NAME.txt`` and prints a line per benchmark with its exit status and time. The
tables then go into bench/RESULTS.md by hand, with the date and what the machine was doing.

    python bench/run_all.py                  # the quality benchmarks (tens of minutes on 2 cores)
    python bench/run_all.py --speed          # and the speed ones (hours: 10k-article and crash runs)
    python bench/run_all.py clustering load  # just these
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

QUALITY = {
    "clustering": ["clustering.py"],
    "summaries": ["summaries.py"],
    "compare": ["compare.py"],
    "attribution": ["attribution.py"],
    "extraction": ["extraction.py"],
}
SPEED = {
    "cluster_speed": ["cluster_speed.py"],
    "load": ["load.py"],
    "crash": ["crash.py"],
    "minilm_speed": ["minilm_speed.py"],
    "spacy_speed": ["spacy_speed.py"],
    "startup": ["startup.py"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all quality ones): "
                                                  f"{', '.join([*QUALITY, *SPEED])}")
    parser.add_argument("--speed", action="store_true", help="also run the speed benchmarks")
    args = parser.parse_args(argv)
    known = {**QUALITY, **SPEED}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(known)}")
    names = args.names or [*QUALITY, *(SPEED if args.speed else {})]
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    failed = 0
    for name in names:
        command = [sys.executable, str(HERE / known[name][0]), *known[name][1:]]
        started = time.monotonic()
        print(f"bench: {name}: {' '.join(command[1:])} ...", file=sys.stderr, flush=True)
        with (out / f"{name}.txt").open("w", encoding="utf-8") as log:
            code = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False).returncode
        failed += code != 0
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"bench: {name}: {status} in {time.monotonic() - started:.0f} s -> {out / (name + '.txt')}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
