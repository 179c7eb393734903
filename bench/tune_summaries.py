"""Tune the summary's concept weights and priors on one data set and check them on the other (held out).

    python bench/tune_summaries.py --tune duc2003            # grid on DUC 2003, report the best few on MultiLing
    python bench/tune_summaries.py --tune multiling2011

Only storyline runs (no sumy): each cluster is indexed once (sentences, terms, embeddings) and every setting
re-scores and re-selects from that index, so a grid of a few hundred settings takes minutes. The defaults in
``scoring.CONCEPTS`` / ``select.PRIOR`` are the first row, so every line reads against today's settings.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout root: bench.* imports

from rouge_score import rouge_scorer

from bench.mds import DATASETS, load
from bench.summaries import cut, rouge
from storyline.config import SummaryOptions
from storyline.summary import select as select_module
from storyline.summary.index import index_story
from storyline.summary.order import chronological
from storyline.summary.scoring import CONCEPTS, score_sentences


def prepare(name: str, limit: int | None = None) -> list[tuple]:
    words = DATASETS[name].words
    options = replace(SummaryOptions(), words=words, fill=True)
    return [(index_story(c.articles, options), c.references, options) for c in load(name, limit)]


def run(prepared: list[tuple], concepts, prior, redundancy: float) -> tuple[float, float]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    r1, r2 = [], []
    for index, references, options in prepared:
        opts = replace(options, redundancy=redundancy)
        scores = score_sentences(index, concepts)
        chosen = chronological(index, select_module.select_sentences(index, scores, opts, weights=prior))
        text = cut([index.sentences[i].text for i in chosen], options.words)
        s = rouge(scorer, text, references)
        r1.append(s["rouge1_r"])
        r2.append(s["rouge2_r"])
    return statistics.fmean(r1), statistics.fmean(r2)


def grid():
    for unigram, df_power, position, fb, lp, lead, support, central, red in itertools.product(
        [0.3, 0.1], [1.0, 1.5], [0.0, 1.0, 2.0], [False, True], [0.7, 1.0], [1.0, 2.0], [1.0, 0.0],
        [1.0], [0.75, 0.9]
    ):
        yield (
            replace(CONCEPTS, unigram=unigram, df_power=df_power, position=position, function_bigrams=fb),
            replace(select_module.PRIOR, length_power=lp, lead=lead, support=support, centrality=central),
            red,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tune", choices=list(DATASETS), default="duc2003")
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    held = next(n for n in DATASETS if n != args.tune)
    tune, check = prepare(args.tune), prepare(held)
    base = (CONCEPTS, select_module.PRIOR, SummaryOptions().redundancy)
    b_t, b_c = run(tune, *base), run(check, *base)
    print(f"today: {args.tune} {b_t[0]:.4f}/{b_t[1]:.4f}  {held} {b_c[0]:.4f}/{b_c[1]:.4f}", flush=True)
    rows = []
    settings = list(grid())
    for k, setting in enumerate(settings):
        rows.append((run(tune, *setting), setting))
        if k % 20 == 0:
            print(f"{k}/{len(settings)}", file=sys.stderr, flush=True)
    rows.sort(key=lambda r: -(r[0][1] + 0.25 * r[0][0]))
    print(f"| {args.tune} R-1 | R-2 | {held} R-1 | R-2 | setting |")
    for (t1, t2), setting in rows[: args.top]:
        c1, c2 = run(check, *setting)
        print(f"| {t1:.4f} | {t2:.4f} | {c1:.4f} | {c2:.4f} | {setting} |", flush=True)


if __name__ == "__main__":
    main()
