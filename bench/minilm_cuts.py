"""Where a digest's MiniLM work could be cut, and what each cut would change: the rules tried, side by side.

    python bench/minilm_cuts.py                          # 500 real articles, every part
    python bench/minilm_cuts.py --articles 2000 --parts citations,tokens

MiniLM (int8, one text per run) costs ~0.12 ms of CPU per token, so its cost is the number of texts (and tokens)
it encodes. Three parts, each against today's rule in the same run:

- ``citations``: the summary's citation check encodes the union, over a story's claims, of each other article's
  shortlisted spans (4 closest by static cosine + the best by word coverage, above the plausibility floors). Each
  rule below is replayed on the (claim, article) shortlists of the digest's stories, with the MiniLM cosine of every
  shortlisted span, and counted: sentences encoded (union per story, as the check encodes them) and citations lost
  or moved to another span against today's (a story whose summary is re-chosen after a repeat is counted once
  per check).
- ``tokens``: the token lengths of the texts MiniLM encodes in the describe stage (summary and comparison): what a
  shorter truncation (64, 128 tokens; the model's own limit is 256) could save at most.
- ``cascade``: the comparison's cascade with fewer MiniLM units per story, on the agreement labels
  (``bench/labels/compare_agree.json``, the same pairs as ``bench/compare.py --part agree``).

The stories are the ones `bench/compare_stories.py` builds (real texts from ../shared/data, seed 1), pickled under
bench/out/.
"""

from __future__ import annotations

import argparse
import copy
import json
import pickle
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench"), str(ROOT / "tests")]

from storyline.config import CompareOptions, Settings  # noqa: E402
from storyline.pipeline import describe_members, summarize_members  # noqa: E402
from storyline.summary import attribution  # noqa: E402

Pair = tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""One (claim, article) shortlist: claim, candidates, their static cosine, word coverage and MiniLM cosine."""
Rule = Callable[[np.ndarray, np.ndarray, np.ndarray], list[int]]
"""Given static cosine, coverage and MiniLM cosine of a shortlist: the positions a rule encodes (a lazy rule reads
the MiniLM cosine of what it encoded first)."""


def load_jobs(articles: int) -> list:
    from compare_stories import build_jobs

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"compare-stories-{articles}.pkl"
    if not path.exists():
        build_jobs(articles, path)
    return pickle.loads(path.read_bytes())


def shortlists(jobs: list) -> list[list[Pair]]:
    """Per call of the MiniLM check, as the digest's summaries make them: every (claim, article) shortlist."""
    calls: list[list[Pair]] = []
    verify = attribution._verify_minilm

    def recording(index, claims, lists, needed, encoded):  # type: ignore[no-untyped-def]
        found = verify(index, claims, lists, needed, encoded)
        pairs = []
        for i, per_article in zip(claims, lists, strict=True):
            rows = attribution.claim_features(index, int(i))
            for _k, candidates, _scores in per_article:
                minilm = np.array([float(encoded[int(j)] @ encoded[int(i)]) for j in candidates])
                pairs.append((int(i), candidates.copy(), rows[candidates, 0], rows[candidates, 1], minilm))
        calls.append(pairs)
        return found

    attribution._verify_minilm = recording
    try:
        options = Settings.load().summary
        for job in jobs:
            summarize_members(copy.deepcopy(job), options)
    finally:
        attribution._verify_minilm = verify
    return calls


def top_by_cosine(k: int) -> Rule:
    def rule(cosine: np.ndarray, coverage: np.ndarray, minilm: np.ndarray) -> list[int]:
        return sorted(set(np.argsort(-cosine, kind="stable")[:k].tolist()) | {int(np.argmax(coverage))})

    return rule


def floors(min_cosine: float, min_coverage: float) -> Rule:
    def rule(cosine: np.ndarray, coverage: np.ndarray, minilm: np.ndarray) -> list[int]:
        keep = np.flatnonzero((cosine >= min_cosine) | (coverage >= min_coverage)).tolist()
        return keep or [int(np.argmax(cosine))]

    return rule


def lazy(below: float, cited_at: float = 2.0) -> Rule:
    """Encode the closest by static cosine and the best by coverage first; the rest of the shortlist only when the
    better of those two reaches MiniLM cosine ``below`` (a close call) and not ``cited_at`` (already cited)."""

    def rule(cosine: np.ndarray, coverage: np.ndarray, minilm: np.ndarray) -> list[int]:
        first = sorted({int(np.argmax(cosine)), int(np.argmax(coverage))})
        return first if not below <= minilm[first].max() < cited_at else list(range(len(cosine)))

    return rule


def replay(calls: list[list[Pair]], rule: Rule, threshold: float) -> tuple[int, int, int, int]:
    """Sentences encoded, citations today, citations lost, citations moved to another span."""
    encoded = cited = lost = moved = 0
    for pairs in calls:
        sentences: set[int] = set()
        for claim, candidates, cosine, coverage, minilm in pairs:
            chosen = rule(cosine, coverage, minilm)
            sentences.add(claim)
            sentences.update(int(candidates[j]) for j in chosen)
            best_today = int(np.argmax(minilm))
            best = chosen[int(np.argmax(minilm[chosen]))]
            if minilm[best_today] >= threshold:
                cited += 1
                lost += bool(minilm[best] < threshold)
                moved += bool(minilm[best] >= threshold and best != best_today)
        encoded += len(sentences)
    return encoded, cited, lost, moved


def part_citations(jobs: list) -> None:
    options = Settings.load().summary
    # the MiniLM cosine at which the support score reaches the citation threshold
    model = attribution.MINILM_MODEL
    threshold = (np.log(options.support_minilm / (1 - options.support_minilm)) - model.bias) / model.weights[0]
    calls = shortlists(jobs)
    rules: dict[str, Rule] = {
        "today: 4 by static cosine + best by coverage (all shortlisted)": lambda c, v, m: list(range(len(c))),
        "3 by cosine + best by coverage": top_by_cosine(3),
        "2 by cosine + best by coverage": top_by_cosine(2),
        "1 by cosine + best by coverage": top_by_cosine(1),
        "floors raised: cosine >= 0.5 or coverage >= 0.3": floors(0.5, 0.3),
        "floors raised: cosine >= 0.6 or coverage >= 0.4": floors(0.6, 0.4),
        "lazy: the rest only when the first two reach MiniLM 0.4": lazy(0.4),
        "lazy: the rest only when the first two reach MiniLM 0.55": lazy(0.55),
        "lazy: the rest only when the better of the first two is in [0.55, the threshold)": lazy(0.55, threshold),
    }
    base = replay(calls, rules[next(iter(rules))], threshold)
    pairs = sum(len(p) for p in calls)
    print(f"\n### Citation check: {len(calls)} MiniLM checks, {pairs} (claim, article) shortlists, "
          f"cited at MiniLM cosine >= {threshold:.3f}\n")
    print("| rule | sentences encoded | vs today | citations lost | cited span moved |")
    print("|---|---:|---:|---:|---:|")
    for name, rule in rules.items():
        encoded, cited, lost, moved = replay(calls, rule, threshold)
        print(f"| {name} | {encoded} | {encoded / base[0]:.2f} | {lost} of {cited} | {moved} |")


def part_tokens(jobs: list) -> None:
    from storyline.embed import get_embedder

    settings = Settings.load()
    model = get_embedder("minilm")
    texts: list[str] = []
    encode = model.encode

    def counting(batch):  # type: ignore[no-untyped-def]
        texts.extend(batch)
        return encode(batch)

    model.encode = counting  # type: ignore[method-assign]
    try:
        for job in jobs:
            describe_members(copy.deepcopy(job), settings.summary, settings.compare)
    finally:
        model.encode = encode  # type: ignore[method-assign]
    lengths = np.array([len(e.ids) for e in model.tokenizer.encode_batch(texts)]) if texts else np.zeros(1, int)
    print(f"\n### Token lengths of the {len(texts)} texts MiniLM encodes in the describe stage\n")
    print("| truncated to | texts longer | tokens cut (share of all) |")
    print("|---|---:|---:|")
    for limit in (256, 128, 64, 48):
        cut = np.maximum(lengths - limit, 0)
        print(f"| {limit} | {int((cut > 0).sum())} | {cut.sum() / lengths.sum():.3%} |")
    print(f"\nmean {lengths.mean():.1f} tokens, 90th percentile {np.percentile(lengths, 90):.0f}, max {lengths.max()}")


def part_cascade() -> None:
    from agree_sample import story_articles, texts
    from compare import LABELS
    from storyline.compare.align import content_stems, split_units, unit_similarity
    from storyline.compare.claims import agreed_facts, link_units
    from storyline.embed import get_embedder

    model = get_embedder("minilm")
    counted = [0]
    encode = model.encode

    def counting(batch):  # type: ignore[no-untyped-def]
        counted[0] += len(batch)
        return encode(batch)

    data = json.loads((LABELS / "compare_agree.json").read_text(encoding="utf-8"))
    by_id = texts()
    print(f"\n### Cascade: MiniLM units per story, on the agreement labels ({len(data['pairs'])} judged pairs)\n")
    print("| cascade_units | MiniLM texts | agreed | precision | recall |")
    print("|---|---:|---:|---:|---:|")
    model.encode = counting  # type: ignore[method-assign]
    try:
        for units_per_story in (12, 8, 6, 4):
            options = CompareOptions(cascade_units=units_per_story)
            counted[0] = 0
            truth: list[bool] = []
            predicted: list[bool] = []
            for story in data["stories"]:
                articles = story_articles(story, by_id)
                units = [u for a in articles for u in split_units(a)]
                at = {(u.article_id, u.start): i for i, u in enumerate(units)}
                stems = [content_stems(u.text) for u in units]
                score, cosine = unit_similarity(units, options, stems)
                alignment = link_units(units, score, cosine, options, stems)
                together = {frozenset((i, j)) for f in agreed_facts(alignment) for i in f.units for j in f.units}
                for p in (p for p in data["pairs"] if p["story"] == story["name"]):
                    pair = frozenset((at[(p["a"], p["a_start"])], at[(p["b"], p["b_start"])]))
                    truth.append(bool(p["agree"]))
                    predicted.append(pair in together)
            hits = sum(a and b for a, b in zip(predicted, truth, strict=True))
            print(f"| {units_per_story} | {counted[0]} | {sum(predicted)} | {hits / max(sum(predicted), 1):.3f} | "
                  f"{hits / max(sum(truth), 1):.3f} |")
    finally:
        model.encode = encode  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--parts", default="citations,tokens,cascade")
    args = parser.parse_args()
    parts = args.parts.split(",")
    unknown = set(parts) - {"citations", "tokens", "cascade"}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    jobs = load_jobs(args.articles) if {"citations", "tokens"} & set(parts) else []
    if "citations" in parts:
        part_citations(jobs)
    if "tokens" in parts:
        part_tokens(jobs)
    if "cascade" in parts:
        part_cascade()


if __name__ == "__main__":
    main()
