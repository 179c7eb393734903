"""Start-up of `storyline digest`: a digest of the two seed articles in a fresh interpreter, old code against new.

    python bench/startup.py                  # 5 rounds; old = ed51511 (main before the NumPy MiniLM)
    python bench/startup.py --rounds 3 --base main

Configurations, alternated round by round on the same input (../shared/seeds) so that the machine's load falls on
each alike: ``new`` (this checkout, default settings), ``old`` (the ``src/`` of commit ``--base``, unpacked with
``git archive`` as bench/throughput.py does, with its own defaults) and ``cheap`` (this checkout with TF-IDF
summaries, the static citation check and no comparison: what start-up costs with no model at all). For each:
wall-clock and CPU seconds (user + system of the process and any children) of the whole command, median over the
rounds; its peak RSS; and which model runtimes it imported (torch, transformers, sentence-transformers, spaCy).
The issue's goal is <= 3 s wall-clock with the default settings.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throughput import pinned_source  # bench/, the script's own folder, is on sys.path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
BASE = "ed51511"
"""main before the NumPy MiniLM (sentence-transformers + torch, spaCy importing torch through thinc)."""
RUNTIMES = ("torch", "transformers", "sentence_transformers", "spacy", "sklearn", "scipy", "model2vec")

_PROBE = """
import json, re, sys
from storyline.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    if exc.code:
        raise
peak = re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())
print(json.dumps({"peak_mb": int(peak.group(1)) / 1024, "imported": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def run(src: Path, cheap: bool) -> dict:
    """One digest of the seeds in a fresh interpreter: wall-clock, CPU (user + system, children included)."""
    with tempfile.TemporaryDirectory() as tmp:
        options = ["-q"]
        if cheap:
            (Path(tmp) / "cheap.toml").write_text(
                '[summary]\nembedder = "tfidf"\nverifier = "static"\n[compare]\nenabled = false\n'
            )
            options += ["--config", str(Path(tmp) / "cheap.toml")]
        command = [sys.executable, "-c", _PROBE, "digest", str(SEEDS), "-o", str(Path(tmp) / "out"), *options]
        env = {**os.environ, "PYTHONPATH": str(src)}
        clock = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        out, err = child.communicate()
        wall = time.perf_counter() - clock
        if child.returncode:
            raise SystemExit(f"digest failed ({src}):\n{err}")
    result = json.loads(out.strip().splitlines()[-1])
    result["wall"] = wall
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--base", default=BASE, help=f"commit for 'old' [{BASE}]")
    args = parser.parse_args()
    sources = {"new": (ROOT / "src", False), "old": (pinned_source(args.base), False), "cheap": (ROOT / "src", True)}
    results: dict[str, list[dict]] = {name: [] for name in sources}
    load = os.getloadavg()[0]
    for round_ in range(args.rounds):
        for name, (src, cheap) in sources.items():
            print(f"bench: round {round_ + 1}, {name} ...", file=sys.stderr, flush=True)
            before = os.times()
            result = run(src, cheap)
            after = os.times()
            result["cpu"] = (after.children_user - before.children_user) + (after.children_system
                                                                            - before.children_system)
            results[name].append(result)
    print(f"`storyline digest` of the two seeds, {args.rounds} rounds alternated, old = {args.base}, "
          f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; medians (min-max)\n")
    print("| | new | old | old / new | cheap (no model) |")
    print("|---|---:|---:|---:|---:|")

    def cell(name: str, key: str) -> str:
        values = [r[key] for r in results[name]]
        return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"

    for key, label in (("wall", "wall-clock s"), ("cpu", "CPU s (user + system)"), ("peak_mb", "peak RSS MB")):
        ratio = statistics.median(r[key] for r in results["old"]) / statistics.median(r[key] for r in results["new"])
        print(f"| {label} | {cell('new', key)} | {cell('old', key)} | {ratio:.2f} | {cell('cheap', key)} |")
    for name in sources:
        imported = set(results[name][0]["imported"])
        print(f"\n{name} imported: {', '.join(r for r in RUNTIMES if r in imported) or 'none of them'}")


if __name__ == "__main__":
    main()
