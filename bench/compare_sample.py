"""What the comparison rules change on a larger unlabelled sample: entities, quote speakers and timeline events.

    PYTHONPATH=OLD/src python bench/compare_sample.py old.tsv      # the code before a rule change
    PYTHONPATH=src python bench/compare_sample.py new.tsv          # after
    python bench/compare_sample.py --diff old.tsv new.tsv          # counts, then every change to read

The sample: 66 ECB+ dev events (6 documents each, no publication date) and 10 DUC 2003 clusters (6 documents each,
dated by their ids). The labelled sets of bench/compare.py are small; this shows every entity type, merge, speaker
and timeline entry a change touches, so a rule can be judged on real text (bench/RESULTS.md, issue 19 item 13).
The TSV holds ids, offsets, names and speakers (short excerpts to read, never committed).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _stories() -> Iterator[tuple[str, list[tuple[str, str, datetime | None]]]]:
    events: dict[str, list[dict]] = {}
    for line in (SHARED / "data/ecbplus/dev.jsonl").open(encoding="utf-8"):
        doc = json.loads(line)
        events.setdefault(doc["event"], []).append(doc)
    for event, docs in sorted(events.items()):
        yield event, [(d["id"], d["text"], None) for d in docs[:6]]
    clusters = map(json.loads, (SHARED / "data/mds/duc2003_task2.jsonl").open(encoding="utf-8"))
    for cluster, _ in zip(clusters, range(10), strict=False):
        dated = [(i, t, datetime(int(i[3:7]), int(i[7:9]), int(i[9:11])))
                 for i, t in zip(cluster["doc_ids"], cluster["documents"], strict=True)]  # fmt: skip
        yield cluster["id"], dated[:6]


def write_sample(path: str) -> None:
    from storyline.compare import compare_story
    from storyline.models import Article
    from storyline.text.sentences import split_sentences

    with open(path, "w", encoding="utf-8") as out:
        for name, docs in _stories():
            articles = []
            for doc_id, text, published in docs:
                article = Article(id=doc_id, text=text, published=published)
                article.sentences = split_sentences(text, doc_id)
                articles.append(article)
            result = compare_story(articles)
            texts = {a.id: a.text for a in articles}
            for e in result.entities:
                out.write(f"E\t{name}\t{e.name}\t{e.type}\t{'|'.join(e.aliases)}\n")
            for q in result.quotes:
                excerpt = texts[q.article_id][q.start : q.end][:60]
                out.write(f"Q\t{name}\t{q.article_id}\t{q.start}\t{q.speaker}\t{excerpt!r}\n")
            for t in result.timeline:
                out.write(f"T\t{name}\t{t.article_id}\t{t.start}\t{t.date}\t{t.expression}\n")


def _rows(path: str, kind: str) -> list[list[str]]:
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if line.startswith(kind + "\t")]


def diff(old: str, new: str) -> None:
    types_old = {(r[1], r[2]): r[3] for r in _rows(old, "E")}
    types_new = {(r[1], r[2]): r[3] for r in _rows(new, "E")}
    merged_old = {(r[1], r[2]): r[4] for r in _rows(old, "E")}
    merged_new = {(r[1], r[2]): r[4] for r in _rows(new, "E")}
    retyped = [(k, types_old[k], types_new[k]) for k in types_old if k in types_new and types_old[k] != types_new[k]]
    regrouped = [(k, merged_old.get(k), merged_new.get(k)) for k in sorted(set(merged_old) | set(merged_new))
                 if merged_old.get(k) != merged_new.get(k)]  # fmt: skip
    quotes_old = {tuple(r[1:4]): r for r in _rows(old, "Q")}
    quotes_new = {tuple(r[1:4]): r for r in _rows(new, "Q")}
    speakers = [(k, quotes_old[k][4], quotes_new[k][4], quotes_old[k][5]) for k in quotes_old
                if k in quotes_new and quotes_old[k][4] != quotes_new[k][4]]  # fmt: skip
    dropped = [quotes_old[k] for k in quotes_old if k not in quotes_new]
    added = [quotes_new[k] for k in quotes_new if k not in quotes_old]
    timeline_old, timeline_new = _rows(old, "T"), _rows(new, "T")
    print("| | old | new | changed |\n|---|---|---|---|")
    print(f"| entities | {len(types_old)} | {len(types_new)} | {len(retyped)} retyped, {len(regrouped)} regrouped |")
    print(f"| quotes | {len(quotes_old)} | {len(quotes_new)} | {len(speakers)} speakers, {len(dropped)} dropped, "
          f"{len(added)} added |")
    print(f"| timeline events (sentences) | {len(timeline_old)} ({len({tuple(r[1:4]) for r in timeline_old})}) | "
          f"{len(timeline_new)} ({len({tuple(r[1:4]) for r in timeline_new})}) | |")
    for key, before, after in retyped:
        print("type", *key, before, "->", after, sep="\t")
    for key, before, after in regrouped:
        print("aliases", *key, before, "->", after, sep="\t")
    for key, before, after, excerpt in sorted(speakers):
        print("speaker", key[0], before, "->", after, excerpt, sep="\t")
    for row in dropped:
        print("dropped", *row[1:], sep="\t")
    for row in added:
        print("added", *row[1:], sep="\t")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="OUT.tsv to write, or OLD.tsv NEW.tsv with --diff")
    parser.add_argument("--diff", action="store_true", help="compare two samples")
    args = parser.parse_args()
    if args.diff:
        if len(args.paths) != 2:
            sys.exit("--diff needs OLD.tsv NEW.tsv")
        diff(*args.paths)
    else:
        write_sample(args.paths[0])


if __name__ == "__main__":
    main()
