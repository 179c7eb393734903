"""CPU of the date finder alone: this checkout's `text/dates.find_dates` against a pinned commit's, on every real
document of ../shared/data (ECB+ dev, DUC 2003 task 2, MultiLing 2011 English, the MultiLing pilot in 7 languages),
each version in a fresh process, rounds alternated.

    python bench/dates_speed.py --base b97559f
    python bench/dates_speed.py --base b97559f --rounds 3

Each round calls ``find_dates(text, published)`` once per document (publication date 2018-09-05 for all, so
relative expressions are resolved too) and times that process's CPU seconds; the table gives both versions, their
ratio, and a fingerprint of every date found (offsets, expression, ISO date, anchor, kind): the same fingerprint
means the same output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from dataclasses import astuple
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]


def documents() -> list[str]:
    """Every real document's text (English sets, then the multilingual pilot)."""
    from conftest import DATA
    from realtexts import real_documents

    texts = [text for _, text in real_documents()]
    with open(DATA / "multilingual" / "multiling2011_dev.jsonl", encoding="utf-8") as handle:
        texts += [json.loads(line)["text"] for line in handle]
    return texts


def run_version() -> None:
    """In a subprocess whose ``PYTHONPATH`` is one version's src: find the dates of every document."""
    from storyline.text.dates import find_dates

    texts = documents()
    published = date(2018, 9, 5)
    find_dates("warm up on Tuesday, August 4, 2018", published)
    began = time.process_time()
    found = [find_dates(text, published) for text in texts]
    cpu = time.process_time() - began
    shown = [[astuple(d) for d in mentions] for mentions in found]
    fingerprint = hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:12]
    print(json.dumps({"cpu": cpu, "fingerprint": fingerprint, "documents": len(texts),
                      "dates": sum(len(f) for f in found), "characters": sum(len(t) for t in texts)}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="commit whose src/ is the baseline")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_version()
        return
    from throughput import _env, pinned_source

    versions = {"new (this checkout)": ROOT / "src", f"base ({args.base})": pinned_source(args.base)}
    results: dict[str, list[dict]] = {name: [] for name in versions}
    for _ in range(args.rounds):
        for name, src in versions.items():
            done = subprocess.run([sys.executable, __file__, "--base", args.base, "--run"], env=_env(src),
                                  capture_output=True, text=True, check=True)  # fmt: skip
            results[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"bench: {name}: {results[name][-1]['cpu']:.2f} CPU s", file=sys.stderr)
    first = next(iter(results.values()))[0]
    print(f"\n### find_dates alone: {first['documents']} real documents, {first['characters'] / 1e6:.1f}M characters, "
          f"{first['dates']} dates\n")
    print("| version | " + " | ".join(f"round {r + 1}" for r in range(args.rounds)) + " | ms per document (min) "
          "| x base | output fingerprint |")
    print("|---|" + "---:|" * (args.rounds + 2) + "---|")
    low = min(r["cpu"] for r in results[f"base ({args.base})"])
    for name, rows in results.items():
        best = min(r["cpu"] for r in rows)
        print(f"| {name} | " + " | ".join(f"{r['cpu']:.2f}" for r in rows)
              + f" | {1000 * best / rows[0]['documents']:.2f} | {best / low:.2f} | {rows[0]['fingerprint']} |")
    same = len({rows[0]["fingerprint"] for rows in results.values()}) == 1
    print(f"\nsame output: {'yes' if same else 'no'}")


if __name__ == "__main__":
    main()
