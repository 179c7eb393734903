"""What keeping a digest's described stories packed costs: bytes held, CPU to pack and to unpack, side by side.

    python bench/packed_stories.py                   # the stories of the first 300 ECB+ dev articles, defaults
    python bench/packed_stories.py --articles 1000 --rounds 5

The default stages of a one-shot digest keep the described stories as ``models.PackedStories`` (issue 15): packed on
the worker that described them, held as bytes by the driver, unpacked one at a time by the storylines stage, the
final sort and the writers (six reads of every story in a digest). This bench describes the stories of the first
``--articles`` ECB+ dev articles with the default settings in this process, then times, over the same stories
(CPU seconds of this process, best of ``--rounds``):

- **records**: what the driver held before (bytes: each story's default pickle, a lower bound of the records);
- **pickle**: the default pickle of each story (protocol 5), zlib level 1 (the first packing);
- **packed**: ``PackedStories.pack``: each record pickled as its class and field values, zlib level 1;

and checks that unpacking gives the same stories (equal records).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
import zlib
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def best(fn, rounds: int) -> float:
    """The least CPU seconds of ``rounds`` calls of ``fn``."""
    times = []
    for _ in range(rounds):
        began = time.process_time()
        fn()
        times.append(time.process_time() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from storyline.config import Settings
    from storyline.models import Article, PackedStories
    from storyline.pipeline import LocalExecutor, run_pipeline

    with open(DATA / "ecbplus" / "dev.jsonl", encoding="utf-8") as handle:
        records = [json.loads(line) for _, line in zip(range(args.articles), handle, strict=False)]
    articles = [Article(id=r["id"], text=r["text"]) for r in records]
    digest = run_pipeline(articles, replace(Settings(), progress=False), executor=LocalExecutor(progress=False))
    stories = list(digest.stories)
    plain = [zlib.compress(pickle.dumps(s, protocol=5), 1) for s in stories]
    packed = PackedStories.of(stories)
    if [pickle.loads(zlib.decompress(b)) for b in plain] != stories or list(packed) != stories:
        raise SystemExit("packed_stories: unpacking did not give the same stories")
    rows = {
        "bytes held": (sum(len(pickle.dumps(s, protocol=5)) for s in stories), sum(map(len, plain)), packed.nbytes),
        "pack, CPU ms (all stories)": (
            0.0,
            best(lambda: [zlib.compress(pickle.dumps(s, protocol=5), 1) for s in stories], args.rounds) * 1000,
            best(lambda: PackedStories.of(stories), args.rounds) * 1000),
        "unpack, CPU ms (all stories, one read)": (
            0.0,
            best(lambda: [pickle.loads(zlib.decompress(b)) for b in plain], args.rounds) * 1000,
            best(lambda: list(packed), args.rounds) * 1000),
    }
    print(f"### {len(stories)} stories of {len(articles)} ECB+ dev articles (defaults), best of {args.rounds}\n")
    print("| | records (plain pickles) | pickle + zlib | packed | pickle + zlib / packed |")
    print("|---|---:|---:|---:|---:|")
    for name, (records_value, pickled, packed_value) in rows.items():
        ratio = pickled / packed_value if packed_value else 0.0
        first = f"{records_value:,.0f}" if records_value else "-"
        print(f"| {name} | {first} | {pickled:,.1f} | {packed_value:,.1f} | {ratio:.2f} |")
    print("\nThe same stories unpacked from both (equal records).")


if __name__ == "__main__":
    main()
