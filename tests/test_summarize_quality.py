"""Quality gates on real data: ROUGE on DUC 2003 and citation precision on the hand labels (floors under today's)."""

from __future__ import annotations

import statistics

from bench import attribution as attribution_bench
from bench import summaries as summaries_bench
from bench.mds import load
from rouge_score import rouge_scorer

from storyline.config import SummaryOptions


def _rouge(system, clusters) -> tuple[float, float]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    scores = [summaries_bench.rouge(scorer, summaries_bench.cut(system(c.articles, 100), 100), c.references)
              for c in clusters]
    return statistics.fmean(s["rouge1_r"] for s in scores), statistics.fmean(s["rouge2_r"] for s in scores)


def test_rouge_floor_on_three_duc_clusters_and_above_lead() -> None:
    clusters = load("duc2003", limit=3)
    r1, r2 = _rouge(summaries_bench.storyline_system, clusters)
    lead1, lead2 = _rouge(summaries_bench.lead_system, clusters)
    # Measured 0.4037 / 0.1108 (bench/RESULTS.md); lead 0.3567 / 0.0954.
    assert r1 >= 0.385 and r2 >= 0.100, (r1, r2)
    assert r1 > lead1 and r2 > lead2


def test_citation_precision_on_the_hand_labels() -> None:
    items = attribution_bench.load_labels(SummaryOptions())
    _, supported = attribution_bench.judgements(items)
    by_pair, _ = attribution_bench.judgements(items)
    cited = attribution_bench.citations_storyline(items, "static")
    judged = [by_pair[(k[0], k[1], span)] for k, span in cited.items() if (k[0], k[1], span) in by_pair]
    precision = sum(label == "yes" for label in judged) / len(judged)
    found = sum(1 for k, span in cited.items() if k in supported and by_pair.get((k[0], k[1], span)) == "yes")
    # Measured: precision 0.889 (8 of 9), recall 0.16 (8 of 50) with the default static verifier.
    assert len(judged) == len(cited) >= 8
    assert precision >= 0.85 and found / len(supported) >= 0.14, (precision, found)
